/**
 * Maps items with up to `concurrency` calls in flight but yields results in input order:
 * lets many small filesystem reads overlap while output stays deterministic.
 */
export async function* mapOrdered<T, R>(
  items: readonly T[],
  concurrency: number,
  map: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const startNext = (): void => {
    const promise = map(items[next++] as T);
    // Rejections surface when awaited in order; this only stops an early one counting as unhandled.
    promise.catch(() => undefined);
    inFlight.push(promise);
  };
  while (next < items.length && inFlight.length < concurrency) startNext();
  while (inFlight.length > 0) {
    const result = await (inFlight.shift() as Promise<R>);
    if (next < items.length) startNext();
    yield result;
  }
}
