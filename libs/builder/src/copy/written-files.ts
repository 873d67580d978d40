import path from 'node:path';

/** Bytes of small-file content kept at most per step: beyond it, files are read back as before. */
const MAX_KEPT_BYTES = 16 * 1024 * 1024;

/**
 * The content of the small files a step wrote, by path inside the image root, so that packing
 * the layer right after does not read them back from disk (open, read, close for each file of a
 * source tree). Only what was written whole from one buffer is kept.
 */
export class WrittenFiles {
  private readonly contents = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly rootfs: string) {}

  record(absolute: string, content: Buffer): void {
    const relative = path.relative(this.rootfs, absolute).split(path.sep).join('/');
    if (relative.startsWith('..') || this.bytes + content.length > MAX_KEPT_BYTES) return;
    this.bytes += content.length - (this.contents.get(relative)?.length ?? 0);
    this.contents.set(relative, content);
  }

  /** What was written at `relative`, if it has the size the file has now. */
  readonly contentOf = (relative: string, size: number): Buffer | undefined => {
    const content = this.contents.get(relative);
    return content?.length === size ? content : undefined;
  };
}
