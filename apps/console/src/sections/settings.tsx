import { useEffect, useState } from 'preact/hooks';
import { api, AppDetails, appPath, Domain } from '../api';
import { usePoll } from '../hooks';
import { ErrorNote, Notice, Section } from '../components/ui';

export function Settings({ app, onChange }: { app: AppDetails; onChange: () => void }) {
  return (
    <>
      <Scale app={app} onChange={onChange} />
      <Domains app={app.name} />
    </>
  );
}

function Scale({ app, onChange }: { app: AppDetails; onChange: () => void }) {
  // Without a Procfile the image's own command is the one process type, web.
  const declared = Object.keys(app.release?.processTypes ?? {});
  const processes = declared.length > 0 || !app.release ? declared : ['web'];
  const current = (process: string) => app.formation?.[process] ?? (process === 'web' ? 1 : 0);
  const [counts, setCounts] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  // Fill the form from the app once per release, not on every poll (that would undo typing).
  useEffect(() => setCounts(Object.fromEntries(processes.map((process) => [process, String(current(process))]))), [app.name, app.release?.version]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setMessage(null);
    try {
      const body = Object.fromEntries(Object.entries(counts).map(([process, count]) => [process, Number(count)]));
      await api(appPath(app.name, '/scale'), { method: 'POST', body });
      setMessage('Scaling: instances start and stop in a moment.');
      onChange();
    } catch (caught) {
      setError(caught as Error);
    }
  };

  return (
    <Section title="Scale" id="scale-heading">
      {processes.length === 0 ? (
        <p>Deploy a release first: its process types can then be scaled.</p>
      ) : (
        <form onSubmit={submit} class="inline-form">
          {processes.map((process) => (
            <div class="field" key={process}>
              <label for={`scale-${process}`}>{process} instances</label>
              <input id={`scale-${process}`} type="number" min={0} max={100} required value={counts[process] ?? ''}
                onInput={(event) => setCounts({ ...counts, [process]: event.currentTarget.value })} />
            </div>
          ))}
          <button type="submit">Scale</button>
        </form>
      )}
      {message && <Notice>{message}</Notice>}
      <ErrorNote error={error} />
    </Section>
  );
}

function Domains({ app }: { app: string }) {
  const domains = usePoll((signal) => api<Domain[]>(appPath(app, '/domains'), { signal }), [app]);
  const [hostname, setHostname] = useState('');
  const [error, setError] = useState<Error | null>(null);

  const change = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      domains.reload();
      return true;
    } catch (caught) {
      setError(caught as Error);
      return false;
    }
  };
  const add = async (event: Event) => {
    event.preventDefault();
    if (await change(() => api(appPath(app, '/domains'), { method: 'POST', body: { hostname: hostname.trim() } }))) setHostname('');
  };

  return (
    <Section title="Custom domains" id="domains-heading">
      <ErrorNote error={error ?? domains.error} />
      {domains.data?.length === 0 && <p>No custom domains.</p>}
      <ul class="plain-list">
        {domains.data?.map((domain) => (
          <li key={domain.hostname} class="row">
            <code>{domain.hostname}</code>
            <button type="button" class="danger" aria-label={`Remove ${domain.hostname}`}
              onClick={() => change(() => api(appPath(app, `/domains/${encodeURIComponent(domain.hostname)}`), { method: 'DELETE' }))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add} class="inline-form">
        <div class="field">
          <label for="domain">Host name</label>
          <input id="domain" required value={hostname} autoComplete="off" spellcheck={false} placeholder="www.example.com"
            onInput={(event) => setHostname(event.currentTarget.value)} />
        </div>
        <button type="submit">Add domain</button>
      </form>
    </Section>
  );
}
