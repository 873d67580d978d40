/**
 * Headers travel as flat `[name, value, name, value, ...]` lists (the format llhttp gives and
 * node's rawHeaders has): the router copies names and values as they came,
 * with no per-request header object, keeping the client's spelling and duplicates.
 */
export type HeaderList = string[];

/** Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
/** Kept on an upgrade: the app must see that the client asks to switch protocols. */
const UPGRADE_HEADERS = new Set(['connection', 'upgrade']);
/** Set by the router alone: a client cannot claim another protocol or host. */
const ROUTER_SET = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/** Name lengths worth lower-casing: most headers (Accept, Cookie, Content-Type...) are none of these. */
const WATCHED = new Uint8Array(32);
for (const name of [...HOP_BY_HOP, ...ROUTER_SET, 'host']) WATCHED[name.length] = 1;

function watched(name: string): boolean {
  return name.length < 32 && WATCHED[name.length] === 1;
}

/** Extra names listed in Connection (`Connection: keep-alive, x-secret`), which are hop-by-hop too. */
function connectionNamed(connection: string | undefined): string[] | undefined {
  if (!connection || (!connection.includes(',') && HOP_BY_HOP.has(connection.toLowerCase()))) return undefined;
  return connection
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && !HOP_BY_HOP.has(name));
}

/**
 * The request headers an app sees: hop-by-hop ones removed (but Connection/Upgrade kept on an
 * upgrade), X-Forwarded-For appended to, X-Forwarded-Proto/Host set.
 */
export function upstreamRequestHeaders(raw: HeaderList, client: string, protocol: 'http' | 'https', upgrade = false): HeaderList {
  const named = connectionNamed(headerValue(raw, 'connection'));
  const list: HeaderList = [];
  let forwardedFor: string | undefined;
  let host = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (named === undefined && !watched(name)) {
      list.push(name, raw[i + 1]);
      continue;
    }
    const lower = name.toLowerCase();
    if (ROUTER_SET.has(lower)) {
      if (lower === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? raw[i + 1] : `${forwardedFor}, ${raw[i + 1]}`;
      continue;
    }
    if (HOP_BY_HOP.has(lower) && !(upgrade && UPGRADE_HEADERS.has(lower))) continue;
    if (named !== undefined && named.includes(lower)) continue;
    if (lower === 'host') host = raw[i + 1];
    list.push(name, raw[i + 1]);
  }
  list.push('X-Forwarded-For', forwardedFor === undefined ? client : `${forwardedFor}, ${client}`, 'X-Forwarded-Proto', protocol, 'X-Forwarded-Host', host);
  return list;
}

/** The response headers a client sees: the app's (as a raw list), minus hop-by-hop ones. */
export function downstreamResponseHeaders(raw: HeaderList): HeaderList {
  const named = connectionNamed(headerValue(raw, 'connection'));
  const list: HeaderList = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (named !== undefined || watched(raw[i])) {
      const lower = raw[i].toLowerCase();
      if (HOP_BY_HOP.has(lower) || (named !== undefined && named.includes(lower))) continue;
    }
    list.push(raw[i], raw[i + 1]);
  }
  return list;
}

/** Finds a header's value in a list (names compared without case). */
export function headerValue(list: HeaderList, name: string): string | undefined {
  for (let i = 0; i < list.length; i += 2) if (list[i].length === name.length && list[i].toLowerCase() === name) return list[i + 1];
  return undefined;
}
