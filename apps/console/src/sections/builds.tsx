import { useEffect, useRef, useState } from 'preact/hooks';
import { api, appPath, authHeaders, Build, FINISHED_BUILD } from '../api';
import { usePoll } from '../hooks';
import { ErrorNote, Section, StatusBadge, Time } from '../components/ui';

export function Builds({ app, buildId }: { app: string; buildId?: string }) {
  const builds = usePoll((signal) => api<Build[]>(appPath(app, '/builds'), { signal }), [app]);
  const newestFirst = [...(builds.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  // Without a chosen build, follow the newest: a push shows up here as it happens.
  const shown = newestFirst.find((build) => build.id === buildId) ?? (buildId ? undefined : newestFirst[0]);
  return (
    <>
      <Section title="Builds" id="builds-heading">
        <ErrorNote error={builds.error} />
        {builds.data?.length === 0 && <p>No builds yet: <code>git push paas main</code> starts one.</p>}
        <ul class="plain-list build-list">
          {newestFirst.slice(0, 20).map((build) => (
            <li key={build.id} class="row">
              <a href={`#/apps/${app}/builds/${build.id}`} aria-current={build.id === shown?.id ? 'true' : undefined}>
                {build.branch} <code>{build.commit.slice(0, 7)}</code>
              </a>
              <StatusBadge status={build.status} />
              <Time iso={build.createdAt} />
            </li>
          ))}
        </ul>
      </Section>
      {shown && <BuildLog key={shown.id} build={shown} />}
    </>
  );
}

/** Streams the log (plain text, chunked) while the build runs; the answer ends when the build does. */
function BuildLog({ build }: { build: Build }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'streaming' | 'ended' | 'failed'>('streaming');
  const [error, setError] = useState<Error | null>(null);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      const response = await fetch(`/api/builds/${build.id}/log`, { headers: authHeaders(), signal: controller.signal });
      if (!response.ok || !response.body) throw new Error(`The build log could not be loaded (${response.status}).`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        const value = chunk.value;
        setText((previous) => previous + value);
      }
      setState('ended');
    })().catch((caught: Error) => {
      if (controller.signal.aborted) return;
      setError(caught);
      setState('failed');
    });
    return () => controller.abort();
  }, [build.id]);

  useStickToBottom(pre, text);
  const live = state === 'streaming' && !FINISHED_BUILD.includes(build.status);
  return (
    <Section title={`Build log ${build.commit.slice(0, 7)}`} id="build-log-heading">
      <p class="log-meta">
        <StatusBadge status={build.status} /> {live ? <span>Streaming live…</span> : <span>Complete log</span>}
      </p>
      {build.error && <p class="error-text">{build.error}</p>}
      <ErrorNote error={error} />
      <pre ref={pre} class="log" role="log" aria-label="Build log" tabIndex={0} data-testid="build-log">
        {text}
      </pre>
    </Section>
  );
}

/** Keeps a growing log scrolled to its end unless the reader scrolled up to read. */
export function useStickToBottom(ref: { current: HTMLElement | null }, content: unknown) {
  const pinned = useRef(true);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const onScroll = () => {
      pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
    };
    element.addEventListener('scroll', onScroll);
    return () => element.removeEventListener('scroll', onScroll);
  }, [ref.current]);
  useEffect(() => {
    const element = ref.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [content]);
}
