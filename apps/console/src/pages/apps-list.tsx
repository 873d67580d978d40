import { useRef, useState } from 'preact/hooks';
import { api, AppDetails, AppSummary, appPath } from '../api';
import { useFocusOnChange, usePoll } from '../hooks';
import { ErrorNote, PageHeading, StatusBadge, TableWrap } from '../components/ui';
import { GitRemote } from '../components/git-remote';

/** running, starting, not deployed: what a user scanning the list wants to know first. */
export function appStatus(app: AppDetails): string {
  if (!app.release) return 'not deployed';
  const running = app.instances.filter((instance) => instance.status === 'running').length;
  if (running > 0) return 'running';
  if (app.instances.some((instance) => instance.status === 'starting')) return 'starting';
  return 'stopped';
}

async function loadApps(signal: AbortSignal): Promise<AppDetails[]> {
  const apps = await api<AppSummary[]>('/api/apps', { signal });
  return Promise.all(apps.map((app) => api<AppDetails>(appPath(app.name), { signal })));
}

export function AppsList({ token }: { token: string }) {
  const heading = useFocusOnChange<HTMLHeadingElement>('apps');
  const apps = usePoll(loadApps, []);
  return (
    <>
      <PageHeading headingRef={heading}>Apps</PageHeading>
      <CreateApp token={token} onCreated={apps.reload} />
      <section aria-labelledby="apps-heading" class="card">
        <h2 id="apps-heading">Your apps</h2>
        <ErrorNote error={apps.error} />
        {!apps.data && !apps.error && <p>Loading…</p>}
        {apps.data?.length === 0 && <p>No apps yet: create one above.</p>}
        {apps.data && apps.data.length > 0 && (
          <TableWrap label="Apps with their status, current release and URL">
              <thead>
                <tr>
                  <th scope="col">App</th>
                  <th scope="col">Status</th>
                  <th scope="col">Release</th>
                  <th scope="col">URL</th>
                </tr>
              </thead>
              <tbody>
                {apps.data.map((app) => (
                  <tr key={app.name}>
                    <th scope="row">
                      <a href={`#/apps/${app.name}`}>{app.name}</a>
                    </th>
                    <td><StatusBadge status={appStatus(app)} /></td>
                    <td>{app.release ? `v${app.release.version}` : '—'}</td>
                    <td><a href={app.url}>{app.url}</a></td>
                  </tr>
                ))}
              </tbody>
            </TableWrap>
        )}
      </section>
    </>
  );
}

function CreateApp({ token, onCreated }: { token: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [created, setCreated] = useState<AppSummary | null>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const app = await api<AppSummary>('/api/apps', { method: 'POST', body: { name: name.trim() } });
      setCreated(app);
      setName('');
      onCreated();
      setTimeout(() => resultHeading.current?.focus());
    } catch (caught) {
      setError(caught as Error);
    }
  };

  return (
    <section aria-labelledby="create-heading" class="card">
      <h2 id="create-heading">Create an app</h2>
      <form onSubmit={submit} class="inline-form">
        <div class="field">
          <label for="app-name">App name</label>
          <input id="app-name" name="name" required value={name} autoComplete="off" spellcheck={false}
            pattern="[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?" aria-describedby="app-name-hint"
            onInput={(event) => setName(event.currentTarget.value)} />
          <p id="app-name-hint" class="hint">Lower-case letters, digits and '-', up to 63; it becomes the app's host name.</p>
        </div>
        <button type="submit">Create app</button>
      </form>
      <ErrorNote error={error} />
      {created && (
        <div class="created">
          <h3 ref={resultHeading} tabIndex={-1}>
            Created <a href={`#/apps/${created.name}`}>{created.name}</a>
          </h3>
          <GitRemote gitUrl={created.gitUrl} token={token} />
        </div>
      )}
    </section>
  );
}
