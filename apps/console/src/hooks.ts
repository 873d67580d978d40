import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** The route is the hash without '#', e.g. '/apps/web/builds'; hash routing needs no server rules. */
export function useRoute(): string {
  const read = () => window.location.hash.replace(/^#/, '') || '/';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function navigate(route: string): void {
  window.location.hash = route;
}

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  reload: () => void;
}

/**
 * Loads now and again every `intervalMs` while the tab is visible: the console stays current
 * without reloading, and a hidden tab costs the server nothing.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], intervalMs = 3000): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, deps);

  useEffect(() => {
    const controller = new AbortController();
    let timer: number | undefined;
    let running = false;
    const run = async () => {
      window.clearTimeout(timer);
      if (document.hidden || running) return;
      running = true;
      try {
        setData(await loadRef.current(controller.signal));
        setError(undefined);
      } catch (caught) {
        if (!controller.signal.aborted) setError(caught as Error);
      } finally {
        running = false;
      }
      if (!controller.signal.aborted) timer = window.setTimeout(run, intervalMs);
    };
    const onVisibility = () => !document.hidden && run();
    document.addEventListener('visibilitychange', onVisibility);
    void run();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [...deps, tick, intervalMs]);

  return { data, error, reload };
}

let firstPage = true;

/**
 * Moves keyboard and screen-reader focus to the page's heading when the page changes; the
 * first page of a load keeps the browser's own start, so Tab reaches the skip link first.
 */
export function useFocusOnChange<T extends HTMLElement>(key: string) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (firstPage) firstPage = false;
    else ref.current?.focus();
  }, [key]);
  return ref;
}
