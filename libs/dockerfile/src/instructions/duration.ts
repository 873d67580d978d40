/**
 * Go's time.ParseDuration, which Docker uses for HEALTHCHECK durations: a sequence of
 * decimal numbers with units (`1h30m`, `1.5s`, `300ms`, `-2us`); "0" alone needs no unit.
 * Returns nanoseconds.
 */

const NANOSECONDS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_INT64 = (1n << 63n) - 1n;
const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

export class DurationError extends Error {}

export function parseGoDuration(text: string): bigint {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw new DurationError(`invalid duration ${JSON.stringify(text)}`);
  let total = 0n;
  while (rest !== '') {
    const match = COMPONENT.exec(rest);
    if (!match || match[0] === '') throw new DurationError(`invalid duration ${JSON.stringify(text)}`);
    total += componentNanoseconds(match[1], match[2] ?? '', match[3], text);
    if (total > MAX_INT64) throw new DurationError(`invalid duration ${JSON.stringify(text)}`);
    rest = rest.slice(match[0].length);
  }
  return negative ? -total : total;
}

function componentNanoseconds(whole: string, fraction: string, unit: string, text: string): bigint {
  if (whole === '' && fraction === '') throw new DurationError(`invalid duration ${JSON.stringify(text)}`);
  if (unit === '') throw new DurationError(`missing unit in duration ${JSON.stringify(text)}`);
  const scale = NANOSECONDS_PER_UNIT[unit];
  if (scale === undefined) throw new DurationError(`unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
  const wholePart = BigInt(whole === '' ? '0' : whole) * scale;
  // Like Go, digits of the fraction below one nanosecond are dropped, not rounded.
  const fractionPart = fraction === '' ? 0n : (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
  return wholePart + fractionPart;
}
