/** OCI layer whiteouts: `.wh.<name>` deletes name from lower layers, `.wh..wh..opq` hides a directory's lower content. */
export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** Other `.wh..wh.` names are aufs bookkeeping (plink, aufs) and carry no meaning for overlay. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';

/** `y` marks an opaque directory; `x` (kernel 6.7+) only says the directory holds xattr whiteouts. */
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';
/** The alternative whiteout form: an empty regular file carrying this xattr. */
export const OVERLAY_WHITEOUT_XATTR = 'trusted.overlay.whiteout';
export const CAPABILITY_XATTR = 'security.capability';

/** Extended attributes restored from layer tars; anything else (trusted.*, security.selinux) could subvert the host. */
export const RESTORED_XATTRS: readonly string[] = [CAPABILITY_XATTR];
