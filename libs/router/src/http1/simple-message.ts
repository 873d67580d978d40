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
}

/** A whole response: head and exactly `bodyLength` bytes of body at `bodyStart`, and nothing more. */
export interface SimpleResponse {
  status: number;
  headers: string[];
  keepAlive: boolean;
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
const FRAMING_LENGTHS = new Uint8Array(32);
for (const name of FRAMING_NAMES) FRAMING_LENGTHS[name.length] = 1;

/** What the framing headers of a message said; `unsure` sends the message to llhttp. */
interface Framing {
  contentLength: number;
  close: boolean;
  keepAlive: boolean;
  unsure: boolean;
}

/** Splits valid field lines into the flat list; `fields` ends with CRLF or is empty. */
function fieldList(fields: string, framing: Framing): string[] {
  const headers: string[] = [];
  let at = 0;
  while (at < fields.length) {
    const eol = fields.indexOf('\r\n', at);
    const colon = fields.indexOf(':', at);
    const name = fields.slice(at, colon);
    let value = colon + 1;
    while (fields.charCodeAt(value) === 32 || fields.charCodeAt(value) === 9) value++;
    headers.push(name, fields.slice(value, eol));
    if (name.length < 32 && FRAMING_LENGTHS[name.length] === 1) noteFraming(name.toLowerCase(), fields.slice(value, eol), framing);
    at = eol + 2;
  }
  return headers;
}

function noteFraming(name: string, value: string, framing: Framing): void {
  if (!FRAMING_NAMES.has(name)) return;
  if (name === 'content-length' && framing.contentLength === -1 && /^\d{1,15}$/.test(value)) {
    framing.contentLength = Number(value);
    return;
  }
  if (name === 'connection') {
    const token = value.toLowerCase();
    if (token === 'close' && !framing.keepAlive) return void (framing.close = true);
    if (token === 'keep-alive' && !framing.close) return void (framing.keepAlive = true);
  }
  // A second length, a transfer coding, an upgrade, an expectation, a Connection list: llhttp's call.
  framing.unsure = true;
}

/** The head that starts at `start`, split at its first line; undefined when it is not all here or too big. */
function headAt(data: Buffer, start: number, maxBytes: number): { line: string; fields: string; end: number } | undefined {
  const blank = data.indexOf(HEAD_END, start, 'latin1');
  // llhttp counts fewer bytes of a head than this (no separators), so a head under the limit here is under it there.
  if (blank === -1 || blank + 4 - start >= maxBytes) return undefined;
  const head = data.toString('latin1', start, blank + 2);
  const firstEnd = head.indexOf('\r\n');
  const fields = head.slice(firstEnd + 2);
  if (!FIELD_LINES.test(fields)) return undefined;
  return { line: head.slice(0, firstEnd), fields, end: blank + 4 };
}

function newFraming(): Framing {
  return { contentLength: -1, close: false, keepAlive: false, unsure: false };
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
  const framing = newFraming();
  const headers = fieldList(head.fields, framing);
  if (framing.unsure || framing.contentLength !== -1) return undefined;
  const httpMinor = line[3] === '1' ? 1 : 0;
  const keepAlive = httpMinor === 1 ? !framing.close : framing.keepAlive;
  return { method: line[1], url: line[2], httpMinor, headers, keepAlive, end: head.end };
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
  const framing = newFraming();
  const headers = fieldList(head.fields, framing);
  if (framing.unsure || framing.contentLength === -1 || head.end + framing.contentLength !== data.length) return undefined;
  return { status, headers, keepAlive: !framing.close, bodyStart: head.end, bodyLength: framing.contentLength };
}
