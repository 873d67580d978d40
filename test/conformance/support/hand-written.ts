import { createHash } from 'node:crypto';
import { ExpectedEntry, HandWrittenExpectation } from './case';
import { ImageView } from './compare';
import { FlatFs, Inode, normalize } from './flatten';

/**
 * The image a hand-written expectation describes: the base image's file system plus the listed
 * paths (their missing parents as root-owned 0755 directories), and the base config plus the
 * listed fields.
 */
export function expectedView(base: ImageView, expectation: HandWrittenExpectation): ImageView {
  const fs: FlatFs = new Map(base.fs);
  for (const [rawPath, entry] of Object.entries(expectation.paths)) {
    const path = normalize(rawPath);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!fs.has(dir)) fs.set(dir, { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 });
    }
    fs.set(path, inodeOf(entry));
  }
  return { fs, config: { ...base.config, ...expectation.config } };
}

function inodeOf(entry: ExpectedEntry): Inode {
  const owner = { uid: entry.uid ?? 0, gid: entry.gid ?? 0 };
  switch (entry.type) {
    case 'file': {
      const content = Buffer.from(entry.content);
      return { type: 'file', mode: entry.mode ?? 0o644, ...owner, size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
    }
    case 'dir':
      return { type: 'dir', mode: entry.mode ?? 0o755, ...owner, size: 0 };
    case 'symlink':
      return { type: 'symlink', mode: 0o777, ...owner, size: 0, linkTarget: entry.target };
  }
}
