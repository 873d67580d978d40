import { useState } from 'preact/hooks';
import { api, AppDetails, appPath, Release } from '../api';
import { usePoll } from '../hooks';
import { ErrorNote, Notice, Section, StatusBadge, Time } from '../components/ui';

export function Releases({ app, onChange }: { app: AppDetails; onChange: () => void }) {
  const releases = usePoll((signal) => api<Release[]>(appPath(app.name, '/releases'), { signal }), [app.name]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const current = app.release?.version;

  const rollback = async (version: number) => {
    setError(null);
    setMessage(null);
    try {
      const release = await api<Release>(appPath(app.name, '/rollback'), { method: 'POST', body: { version } });
      setMessage(`Rolling back: release v${release.version} made from v${version}.`);
      releases.reload();
      onChange();
    } catch (caught) {
      setError(caught as Error);
    }
  };

  return (
    <Section title="Releases" id="releases-heading">
      {message && <Notice>{message}</Notice>}
      <ErrorNote error={error ?? releases.error} />
      {releases.data?.length === 0 && <p>No releases yet: push to deploy.</p>}
      <ol class="release-list" reversed>
        {releases.data?.map((release) => (
          <li key={release.version} class="release" data-testid={`release-v${release.version}`}>
            <div class="release-head">
              <strong>v{release.version}</strong>
              <StatusBadge status={release.status} />
              {release.version === current && <span class="badge badge-current">current</span>}
              <Time iso={release.createdAt} />
            </div>
            <p class="release-desc">{release.description}</p>
            {release.error && <p class="error-text">{release.error}</p>}
            {release.version !== current && release.imageDigest && (
              <button type="button" class="secondary" onClick={() => rollback(release.version)}>
                Roll back to v{release.version}
              </button>
            )}
          </li>
        ))}
      </ol>
    </Section>
  );
}
