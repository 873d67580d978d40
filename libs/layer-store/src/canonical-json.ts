/**
 * Deterministic JSON bytes: object keys sorted by code point, no insignificant whitespace,
 * undefined members dropped. The same value always yields the same bytes and so the same digest.
 */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(serialize(value), 'utf8');
}

function serialize(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return serializeNumber(value);
  if (Array.isArray(value)) return `[${value.map((item) => serialize(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object') return serializeObject(value as Record<string, unknown>);
  throw new TypeError(`cannot encode a ${typeof value} as JSON`);
}

function serializeNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`cannot encode ${value} as JSON`);
  return JSON.stringify(value);
}

function serializeObject(object: Record<string, unknown>): string {
  const members = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort(compareCodePoints)
    .map((key) => `${JSON.stringify(key)}:${serialize(object[key])}`);
  return `{${members.join(',')}}`;
}

function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
