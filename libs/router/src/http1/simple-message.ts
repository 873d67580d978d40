/**
 * The common HTTP/1.1 message read in JavaScript, without llhttp: a request with no body, or a
 * response with a Content-Length whose body arrived in the same read. Most of a proxy's traffic
 * is such messages, and llhttp's binding costs a C++ -> JS call per callback, header strings
 * built in C++ and a malloc'd copy of each body; on bench/router that was most of the router's
 * own (user-space) time.
 *
 * The rule that keeps this safe: a reader here accepts a message only when it is sure llhttp
 * would read the same message the same way, and returns undefined for anything else (a byte it
 * does not expect, a header it does not handle, a message split across reads); the caller then
 * gives the bytes to llhttp, which decides as it always did. simple-message.spec.ts checks
 * both readers against llhttp on a corpus and on thousands of mutated messages.
 */

/** A request head read whole: `end` is the offset just past its blank line. */
export interface SimpleRequest {
  method: string;
  url: string;
  httpMinor: number;
  headers: string[];
  keepAlive: boolean;
  end: number;
  /**
   * Its header lines as they came less Connection and Keep-Alive, when that is all an app must
   * not see (no other hop-by-hop header, no X-Forwarded-* of its own, one Host at most): the
   * head for the app is then these lines and the router's X-Forwarded-* ones.
   */
  forwardLines?: string;
}

/**
 * A whole response: head and exactly `bodyLength` bytes of body at `bodyStart`, and nothing more.
 * `lines`: its header lines as they came ("Name: value" and CRLF each, Content-Length among
 * them) less the hop-by-hop Connection and Keep-Alive, ready to be passed on to a client.
 */
export interface SimpleResponse {
  status: number;
  lines: string;
  keepAlive: boolean;
  /** The app's Keep-Alive header (`timeout=5`), if it sent one. */
  keepAliveHeader?: string;
  bodyStart: number;
  bodyLength: number;
}

/** `[name, value]` lines, each ending in CRLF: names are tokens, values visible bytes separated by single blanks or tabs, nothing trailing. */
const FIELD_LINES = /^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t ]*(?:[\x21-\x7e\x80-\xff]+(?:[\t ]+[\x21-\x7e\x80-\xff]+)*)?\r\n)*$/;
/** Origin-form targets of RFC 3986 characters only; anything rarer goes to llhttp. */
const REQUEST_LINE = /^([A-Z]{3,7}) (\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*) HTTP\/1\.([01])$/;
/** Methods whose bodyless form means nothing more than that (CONNECT is a tunnel). */
const SIMPLE_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
const STATUS_LINE = /^HTTP\/1\.1 ([2-5]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/;
const HEAD_END = '\r\n\r\n';
/** Header names that change how a message is framed or what the connection does. */
const FRAMING_NAMES = new Set(['content-length', 'transfer-encoding', 'connection', 'upgrade', 'expect']);

/** What the framing headers of a message said; `unsure` sends the message to llhttp. */
interface Framing {
  contentLength: number;
  close: boolean;
  keepAlive: boolean;
  unsure: boolean;
}

/** A request's framing, and what of its lines may pass on as they came. */
interface RequestFields extends Framing {
  /** The lines less Connection and Keep-Alive; `forwardable` false when more must be taken out. */
  forward: string;
  forwardable: boolean;
  hosts: number;
}

/** Names that make a request's lines unfit to pass on as they came ("close": Connection: close names it hop-by-hop). */
const NOT_FORWARDED = new Set(['proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'close']);
const REQUEST_LENGTHS = new Uint8Array(32);
for (const name of [...FRAMING_NAMES, ...NOT_FORWARDED, 'keep-alive', 'host']) REQUEST_LENGTHS[name.length] = 1;

/** Splits valid field lines into the flat list; `fields` ends with CRLF or is empty. */
function fieldList(fields: string, framing: RequestFields): string[] {
  const headers: string[] = [];
  let at = 0;
  let keptFrom = 0;
  while (at < fields.length) {
    const eol = fields.indexOf('\r\n', at);
    const colon = fields.indexOf(':', at);
    const name = fields.slice(at, colon);
    let start = colon + 1;
    while (fields.charCodeAt(start) === 32 || fields.charCodeAt(start) === 9) start++;
    const value = fields.slice(start, eol);
    headers.push(name, value);
    if (name.length < 32 && REQUEST_LENGTHS[name.length] === 1) {
      const lower = name.toLowerCase();
      if (lower === 'connection' || lower === 'keep-alive') {
        framing.forward += fields.slice(keptFrom, at);
        keptFrom = eol + 2;
      } else if (lower === 'host') framing.hosts++;
      else if (NOT_FORWARDED.has(lower)) framing.forwardable = false;
      if (FRAMING_NAMES.has(lower)) noteFraming(lower, value, framing);
    }
    at = eol + 2;
  }
  framing.forward += fields.slice(keptFrom);
  return headers;
}

/**
 * Content-Length and Connection as llhttp reads them. A second length, a Connection list, and
 * any other name given here (a transfer coding, an upgrade, an expectation...) are llhttp's call.
 */
function noteFraming(name: string, value: string, framing: Framing): void {
  if (name === 'content-length') {
    if (framing.contentLength === -1 && /^\d{1,15}$/.test(value)) framing.contentLength = Number(value);
    else framing.unsure = true;
  } else if (name === 'connection') {
    const token = value.toLowerCase();
    if (token === 'close' && !framing.keepAlive) framing.close = true;
    else if (token === 'keep-alive' && !framing.close) framing.keepAlive = true;
    else framing.unsure = true;
  } else framing.unsure = true;
}

/** Reads this short are searched as a string (V8's indexOf); longer ones in the buffer, so a big body is not converted. */
const SHORT_READ = 2048;

/** The head that starts at `start`, split at its first line; undefined when it is not all here or too big. */
function headAt(data: Buffer, start: number, maxBytes: number): { line: string; fields: string; end: number } | undefined {
  let head: string;
  let blank: number;
  if (data.length - start <= SHORT_READ) {
    const text = data.toString('latin1', start);
    blank = text.indexOf(HEAD_END);
    head = text.slice(0, blank + 2);
    blank += start;
  } else {
    blank = data.indexOf(HEAD_END, start, 'latin1');
    head = blank === -1 ? '' : data.toString('latin1', start, blank + 2);
  }
  // llhttp counts fewer bytes of a head than this (no separators), so a head under the limit here is under it there.
  if (blank < start || blank + 4 - start >= maxBytes) return undefined;
  const firstEnd = head.indexOf('\r\n');
  const fields = head.slice(firstEnd + 2);
  if (!FIELD_LINES.test(fields)) return undefined;
  return { line: head.slice(0, firstEnd), fields, end: blank + 4 };
}

/** What a response's header lines said, and those lines less Connection and Keep-Alive. */
interface ResponseFields extends Framing {
  lines: string;
  keepAliveHeader?: string;
}

/** Hop-by-hop or framing names a simple response leaves to llhttp's path (and proxy-headers.ts). */
const RESPONSE_UNSURE = new Set(['transfer-encoding', 'upgrade', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer']);
const RESPONSE_LENGTHS = new Uint8Array(32);
for (const name of [...RESPONSE_UNSURE, 'content-length', 'connection', 'keep-alive']) RESPONSE_LENGTHS[name.length] = 1;

/**
 * One pass over valid field lines that slices only the names it must look at (most have
 * lengths none of them has), so a response's head is passed on without being split into a list.
 */
function responseFields(fields: string): ResponseFields {
  const found: ResponseFields = { lines: '', contentLength: -1, close: false, keepAlive: false, unsure: false };
  let at = 0;
  let keptFrom = 0;
  while (at < fields.length && !found.unsure) {
    const eol = fields.indexOf('\r\n', at);
    const colon = fields.indexOf(':', at);
    if (colon - at < 32 && RESPONSE_LENGTHS[colon - at] === 1) {
      const name = fields.slice(at, colon).toLowerCase();
      let start = colon + 1;
      while (fields.charCodeAt(start) === 32 || fields.charCodeAt(start) === 9) start++;
      if (name === 'connection' || name === 'keep-alive') {
        found.lines += fields.slice(keptFrom, at);
        keptFrom = eol + 2;
      }
      noteResponseField(name, fields.slice(start, eol), found);
    }
    at = eol + 2;
  }
  found.lines += fields.slice(keptFrom);
  return found;
}

function noteResponseField(name: string, value: string, found: ResponseFields): void {
  if (name === 'keep-alive') {
    if (found.keepAliveHeader === undefined) found.keepAliveHeader = value;
    else found.unsure = true;
  } else if (name === 'content-length' || name === 'connection' || RESPONSE_UNSURE.has(name)) noteFraming(name, value, found);
}

function newRequestFields(): RequestFields {
  return { contentLength: -1, close: false, keepAlive: false, unsure: false, forward: '', forwardable: true, hosts: 0 };
}

/**
 * A request without a body (no Content-Length, no Transfer-Encoding) whose head lies whole in
 * `data` from `start`; undefined when llhttp has to read it.
 */
export function readSimpleRequest(data: Buffer, start: number, maxHeaderBytes: number): SimpleRequest | undefined {
  const head = headAt(data, start, maxHeaderBytes);
  if (head === undefined) return undefined;
  const line = REQUEST_LINE.exec(head.line);
  if (line === null || !SIMPLE_METHODS.has(line[1])) return undefined;
  const framing = newRequestFields();
  const headers = fieldList(head.fields, framing);
  if (framing.unsure || framing.contentLength !== -1) return undefined;
  const httpMinor = line[3] === '1' ? 1 : 0;
  const keepAlive = httpMinor === 1 ? !framing.close : framing.keepAlive;
  const forwardLines = framing.forwardable && framing.hosts <= 1 ? framing.forward : undefined;
  return { method: line[1], url: line[2], httpMinor, headers, keepAlive, end: head.end, forwardLines };
}

/**
 * An HTTP/1.1 response with a Content-Length, its body, and nothing after it, all in `data`;
 * undefined for anything else (1xx, 204, 304, chunked, close-delimited, split across reads).
 */
export function readSimpleResponse(data: Buffer, maxHeaderBytes: number): SimpleResponse | undefined {
  const head = headAt(data, 0, maxHeaderBytes);
  if (head === undefined) return undefined;
  const line = STATUS_LINE.exec(head.line);
  if (line === null) return undefined;
  const status = Number(line[1]);
  if (status === 204 || status === 304) return undefined;
  const fields = responseFields(head.fields);
  if (fields.unsure || fields.contentLength === -1 || head.end + fields.contentLength !== data.length) return undefined;
  return { status, lines: fields.lines, keepAlive: !fields.close, keepAliveHeader: fields.keepAliveHeader, bodyStart: head.end, bodyLength: fields.contentLength };
}
