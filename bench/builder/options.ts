/** A whole-number bench setting from the environment (BENCH_ROUNDS, ...); unset or empty gives `fallback`. */
export function wholeNumberOption(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}=${raw}: expected a whole number >= ${min}`);
  return value;
}
