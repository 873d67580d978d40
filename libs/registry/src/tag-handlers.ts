import { Digest, LayerStore } from '@berth/layer-store';
import { isRepositoryName, isTag } from './names';
import { RegistryRequest } from './registry-context';
import { RegistryError, RegistryErrorCode } from './registry.errors';
import { sendJson } from './responses';

interface Page {
  items: string[];
  /** The `Link` header to the next page, when there is one. */
  link?: string;
}

/** `GET /v2/<name>/tags/list?n=&last=`: tags in lexical order, paginated with a Link header. */
export async function listTags({ response, deps, name, query }: RegistryRequest): Promise<void> {
  const tags = (await tagReferences(deps.store)).filter((entry) => entry.name === name).map((entry) => entry.tag);
  if (tags.length === 0) {
    throw new RegistryError(RegistryErrorCode.NameUnknown, `repository ${name} is not known to this registry (it has no tags)`, {
      detail: { name },
    });
  }
  const page = paginate(tags, query, `/v2/${name}/tags/list`);
  sendJson(response, 200, { name, tags: page.items }, page.link ? { Link: page.link } : {});
}

/** `GET /v2/_catalog?n=&last=`: every repository that has a tag. */
export async function catalog({ response, deps, query }: RegistryRequest): Promise<void> {
  const names = [...new Set((await tagReferences(deps.store)).map((entry) => entry.name))];
  const page = paginate(names, query, '/v2/_catalog');
  sendJson(response, 200, { repositories: page.items }, page.link ? { Link: page.link } : {});
}

/** The store's `name:tag` references that are registry repositories and tags (not `host:port/...` names). */
export async function tagReferences(store: LayerStore): Promise<Array<{ name: string; tag: string; digest: Digest }>> {
  return (await store.images.listTags()).flatMap(({ reference, descriptor }) => {
    const colon = reference.lastIndexOf(':');
    const name = reference.slice(0, colon);
    const tag = reference.slice(colon + 1);
    return colon > 0 && isRepositoryName(name) && isTag(tag) ? [{ name, tag, digest: descriptor.digest }] : [];
  });
}

/**
 * Sorted items after `last`, at most `n` of them. An `n` that is not a whole number is ignored
 * (the spec names no error for it), so the client gets everything rather than nothing.
 */
export function paginate(all: string[], query: URLSearchParams, path: string): Page {
  const last = query.get('last');
  const sorted = [...all].sort().filter((item) => last === null || item > last);
  const n = Number(query.get('n') ?? NaN);
  if (query.get('n') === null || !Number.isSafeInteger(n) || n < 0) return { items: sorted };
  const items = sorted.slice(0, n);
  const lastItem = items[items.length - 1];
  if (sorted.length <= n || lastItem === undefined) return { items };
  return { items, link: `<${path}?n=${n}&last=${encodeURIComponent(lastItem)}>; rel="next"` };
}
