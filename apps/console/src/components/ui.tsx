import type { ComponentChildren, Ref } from 'preact';
import { useState } from 'preact/hooks';

export function PageHeading({ children, headingRef }: { children: ComponentChildren; headingRef: Ref<HTMLHeadingElement> }) {
  // tabIndex -1: focusable by script (after navigation), not a Tab stop.
  return (
    <h1 ref={headingRef} tabIndex={-1}>
      {children}
    </h1>
  );
}

const TONE: Record<string, string> = {
  running: 'ok', deployed: 'ok', succeeded: 'ok',
  failed: 'bad', crashed: 'bad',
  queued: 'busy', pending: 'busy', deploying: 'busy', starting: 'busy', draining: 'busy',
};

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${TONE[status] ?? 'neutral'}`}>{status}</span>;
}

export function ErrorNote({ error }: { error: Error | undefined | null }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>—</span>;
  const date = new Date(iso);
  return <time dateTime={iso}>{date.toLocaleString()}</time>;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Copies text; falls back to selecting it where the clipboard API is not allowed (plain http). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
      setTimeout(() => setDone(false), 2000);
    } catch {
      setDone(false);
    }
  };
  return (
    <button type="button" class="secondary" onClick={copy} aria-label={label}>
      {done ? 'Copied' : 'Copy'}
    </button>
  );
}

export function Section({ title, id, children }: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={id} class="card">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A table that may scroll sideways on a phone: focusable and named, so keyboards can scroll it too. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table>
        <caption class="visually-hidden">{label}</caption>
        {children}
      </table>
    </div>
  );
}
