import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { readTar } from '@berth/layer-store';

/** An image as `docker save` (or `berth image save`) writes it: its config and its layer tars in order. */
export interface SavedImage {
  config: ImageConfigJson;
  /** Layer tars, bottom first; gzipped or plain (the flattener sniffs). */
  layers: Buffer[];
}

export interface ImageConfigJson {
  config?: Record<string, unknown>;
  rootfs?: { diff_ids?: string[] };
  history?: Array<{ created_by?: string; empty_layer?: boolean }>;
}

/** Reads a docker-archive stream fully into memory (the largest image here is ~70 MB). */
export async function readSavedImage(source: AsyncIterable<Uint8Array>): Promise<SavedImage> {
  const files = new Map<string, Buffer>();
  const links = new Map<string, string>();
  for await (const { header, body } of readTar(source)) {
    const name = posix.normalize(header.path);
    // docker save writes a layer that occurs twice once, the second name a symlink to the first.
    if (header.type === 'symlink') links.set(name, posix.join(posix.dirname(name), header.linkTarget ?? ''));
    if (header.type !== 'file') continue;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk);
    files.set(name, Buffer.concat(chunks));
  }
  for (const [name, target] of links) {
    const content = files.get(target);
    if (content) files.set(name, content);
  }
  const manifestBytes = files.get('manifest.json');
  if (!manifestBytes) throw new Error('the archive has no manifest.json; is it a docker-archive?');
  const [manifest] = JSON.parse(manifestBytes.toString('utf8')) as Array<{ Config: string; Layers: string[] }>;
  const config = files.get(manifest.Config);
  if (!config) throw new Error(`the archive lacks its config ${manifest.Config}`);
  const layers = manifest.Layers.map((name) => {
    const layer = files.get(name);
    if (!layer) throw new Error(`the archive lacks the layer ${name}`);
    return layer;
  });
  return { config: JSON.parse(config.toString('utf8')) as ImageConfigJson, layers };
}

export function bufferSource(buffer: Buffer): Readable {
  return Readable.from([buffer]);
}
