import { RegistryError, RegistryErrorCode } from './registry.errors';

/** Inclusive byte positions, as in HTTP. */
export interface InclusiveRange {
  start: number;
  end: number;
}

const BYTES_RANGE = /^bytes=(\d*)-(\d*)$/;
const CONTENT_RANGE = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/;

/**
 * A `Range: bytes=...` request for a blob of `size` bytes: null to send it whole. Other units
 * and several ranges are ignored, as RFC 9110 allows; a malformed or unsatisfiable byte range
 * is 416, as the reference registry answers.
 */
export function parseRangeHeader(header: string | undefined, size: number): InclusiveRange | null {
  const value = header?.trim();
  if (!value || !/^bytes=/i.test(value) || value.includes(',')) return null;
  const match = BYTES_RANGE.exec(value.replace(/\s+/g, '').replace(/^bytes=/i, 'bytes='));
  const first = match?.[1] ?? '';
  const last = match?.[2] ?? '';
  if (!match || (first === '' && last === '')) throw unsatisfiable(value, size);
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(value, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || (last !== '' && Number(last) < start)) throw unsatisfiable(value, size);
  return { start, end };
}

function unsatisfiable(value: string, size: number): RegistryError {
  // The spec has no code for a bad range; the status (416) is what clients act on.
  return new RegistryError(RegistryErrorCode.SizeInvalid, `range "${value.slice(0, 100)}" cannot be served from a blob of ${size} bytes`, {
    status: 416,
    headers: { 'Content-Range': `bytes */${size}` },
    detail: { range: value.slice(0, 100), size },
  });
}

/** An upload chunk's `Content-Range: <start>-<end>` (Docker's form; `bytes ` prefixes are accepted too). */
export function parseContentRange(header: string | undefined): InclusiveRange | null {
  if (header === undefined) return null;
  const match = CONTENT_RANGE.exec(header.trim());
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) {
    throw new RegistryError(
      RegistryErrorCode.BlobUploadInvalid,
      `Content-Range "${header.slice(0, 100)}" is not a chunk range; send "<first byte>-<last byte>", e.g. 0-1023`,
      { detail: { contentRange: header.slice(0, 100) } },
    );
  }
  return { start, end };
}

/** The upload's `Range` header: the bytes received so far, `0-0` for none, as distribution sends it. */
export function uploadedRange(size: number): string {
  return `0-${Math.max(size - 1, 0)}`;
}
