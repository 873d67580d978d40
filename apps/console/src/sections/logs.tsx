import { useEffect, useRef, useState } from 'preact/hooks';
import { AppDetails, appPath, LogLine } from '../api';
import { Section } from '../components/ui';
import { useStickToBottom } from './builds';

const MAX_LINES = 2000;

interface Filters {
  process: string;
  stream: string;
  release: string;
}

/** EventSource cannot send headers, so the follow stream takes the token as access_token. */
function streamUrl(app: string, token: string, filters: Filters): string {
  const query = new URLSearchParams({ follow: '1', tail: '200', access_token: token });
  if (filters.process) query.set('process', filters.process);
  if (filters.stream) query.set('stream', filters.stream);
  if (filters.release) query.set('release', filters.release);
  return `${appPath(app, '/logs')}?${query}`;
}

type Connection = 'connecting' | 'live' | 'retrying';

/** Opens the stream for these filters; EventSource resumes after a drop with Last-Event-ID itself. */
function useLogStream(app: string, token: string, filters: Filters) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [connection, setConnection] = useState<Connection>('connecting');
  useEffect(() => {
    setLines([]);
    setConnection('connecting');
    let source: EventSource | undefined;
    let retry: number | undefined;
    const open = () => {
      source = new EventSource(streamUrl(app, token, filters));
      source.onopen = () => setConnection('live');
      source.addEventListener('line', (event) => {
        const line = JSON.parse((event as MessageEvent<string>).data) as LogLine;
        setLines((previous) => [...previous.slice(-(MAX_LINES - 1)), line]);
      });
      source.onerror = () => {
        setConnection('retrying');
        // A refused answer (401, 404) closes the source for good; try again later ourselves.
        if (source?.readyState === EventSource.CLOSED) retry = window.setTimeout(open, 5000);
      };
    };
    open();
    return () => {
      window.clearTimeout(retry);
      source?.close();
    };
  }, [app, token, filters.process, filters.stream, filters.release]);
  return { lines, connection };
}

export function RuntimeLogs({ app, token }: { app: AppDetails; token: string }) {
  const [filters, setFilters] = useState<Filters>({ process: '', stream: '', release: '' });
  const [search, setSearch] = useState('');
  const { lines, connection } = useLogStream(app.name, token, filters);
  const pre = useRef<HTMLPreElement>(null);
  const needle = search.trim().toLowerCase();
  const shown = needle ? lines.filter((line) => line.message.toLowerCase().includes(needle)) : lines;
  useStickToBottom(pre, shown.length);

  return (
    <Section title="Runtime logs" id="logs-heading">
      <LogFilters app={app} filters={filters} onFilters={setFilters} search={search} onSearch={setSearch} />
      <p class="log-meta">
        {connection === 'live' ? 'Live' : connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'} · {shown.length} lines
      </p>
      <pre ref={pre} class="log" role="log" aria-label="Runtime log" tabIndex={0} data-testid="runtime-log">
        {shown.map((line) => (
          <div key={line.id} class={`log-line log-${line.stream}`}>
            <span class="log-time">{line.time.slice(11, 19)}</span> <span class="log-source">{line.process ?? 'berth'}{line.release ? `.v${line.release}` : ''}</span> {line.message}
          </div>
        ))}
      </pre>
    </Section>
  );
}

interface LogFiltersProps {
  app: AppDetails;
  filters: Filters;
  onFilters: (filters: Filters) => void;
  search: string;
  onSearch: (search: string) => void;
}

/** Process, stream and release filter on the server (the stream reopens); search filters what arrived. */
function LogFilters({ app, filters, onFilters, search, onSearch }: LogFiltersProps) {
  const declared = Object.keys(app.release?.processTypes ?? {});
  const processes = declared.length > 0 || !app.release ? declared : ['web'];
  const set = (key: keyof Filters) => (event: Event) => onFilters({ ...filters, [key]: (event.currentTarget as HTMLInputElement).value });
  return (
    <form class="inline-form filters" onSubmit={(event) => event.preventDefault()}>
      <div class="field">
        <label for="log-process">Process</label>
        <select id="log-process" value={filters.process} onChange={set('process')}>
          <option value="">All</option>
          {processes.map((process) => <option key={process} value={process}>{process}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="log-stream">Stream</label>
        <select id="log-stream" value={filters.stream} onChange={set('stream')}>
          <option value="">All</option>
          <option value="stdout">stdout</option>
          <option value="stderr">stderr</option>
          <option value="berth">Berth events</option>
        </select>
      </div>
      <div class="field">
        <label for="log-release">Release</label>
        <input id="log-release" type="number" min={1} value={filters.release} placeholder="any" onChange={set('release')} />
      </div>
      <div class="field">
        <label for="log-search">Search</label>
        <input id="log-search" type="search" value={search} onInput={(event) => onSearch(event.currentTarget.value)} />
      </div>
    </form>
  );
}
