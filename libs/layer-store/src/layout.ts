import { join } from 'node:path';
import { Digest, digestHex } from './digest';

/** Where everything lives under the store root: OCI image-layout at the top, Berth's own state under berth/. */
export class StoreLayout {
  readonly ociLayoutFile: string;
  readonly indexFile: string;
  readonly blobsDir: string;
  readonly tmpDir: string;
  readonly berthDir: string;
  readonly layersByDiffIdDir: string;
  readonly layersByDigestDir: string;
  readonly snapshotsDir: string;
  readonly leasesDir: string;
  readonly locksDir: string;

  constructor(readonly root: string) {
    this.ociLayoutFile = join(root, 'oci-layout');
    this.indexFile = join(root, 'index.json');
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
    this.berthDir = join(root, 'berth');
    this.layersByDiffIdDir = join(this.berthDir, 'diffids');
    this.layersByDigestDir = join(this.berthDir, 'compressed');
    this.snapshotsDir = join(this.berthDir, 'snapshots');
    this.leasesDir = join(this.berthDir, 'leases');
    this.locksDir = join(this.berthDir, 'locks');
  }

  allDirs(): string[] {
    return [
      this.blobsDir,
      this.tmpDir,
      this.layersByDiffIdDir,
      this.layersByDigestDir,
      this.snapshotsDir,
      this.leasesDir,
      this.locksDir,
    ];
  }

  blobPath(digest: Digest): string {
    return join(this.blobsDir, digestHex(digest));
  }

  snapshotDir(chainId: Digest): string {
    return join(this.snapshotsDir, digestHex(chainId));
  }

  snapshotFsDir(chainId: Digest): string {
    return join(this.snapshotDir(chainId), 'fs');
  }
}
