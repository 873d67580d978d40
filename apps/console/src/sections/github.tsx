import { api, ApiError, appPath } from '../api';
import { usePoll } from '../hooks';
import { Section, Time } from '../components/ui';

interface GithubLink {
  repository: string;
  branch: string;
  cloneUrl?: string;
  webhookUrl?: string;
  deployKey?: { publicKey: string } | null;
}

interface Delivery {
  id: string;
  event?: string;
  result?: string;
  detail?: string | null;
  ref?: string | null;
  after?: string | null;
  createdAt?: string;
}

/** Not linked, or a Berth without GitHub support (404): a single quiet line, no error. */
async function loadGithub(app: string, signal: AbortSignal): Promise<{ link: GithubLink; deliveries: Delivery[] } | null> {
  try {
    const link = await api<GithubLink>(appPath(app, '/github'), { signal });
    const deliveries = await api<Delivery[]>(appPath(app, '/github/deliveries'), { signal }).catch(() => []);
    return { link, deliveries };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function GitHub({ app }: { app: string }) {
  const github = usePoll((signal) => loadGithub(app, signal), [app], 10000);
  if (github.data === undefined) return null;
  const data = github.data;
  return (
    <Section title="GitHub" id="github-heading">
      {data === null ? (
        <p class="hint">Not linked to a GitHub repository.</p>
      ) : (
        <>
          <dl class="facts">
            <dt>Repository</dt>
            <dd><a href={`https://github.com/${data.link.repository}`}>{data.link.repository}</a></dd>
            <dt>Branch</dt>
            <dd>{data.link.branch}</dd>
            {data.link.cloneUrl && (<><dt>Fetched from</dt><dd><code>{data.link.cloneUrl}</code></dd></>)}
            {data.link.webhookUrl && (<><dt>Webhook URL</dt><dd><code>{data.link.webhookUrl}</code></dd></>)}
            {data.link.deployKey && (<><dt>Deploy key</dt><dd><code>{data.link.deployKey.publicKey}</code></dd></>)}
          </dl>
          <h3>Recent deliveries</h3>
          {data.deliveries.length === 0 ? <p>None yet.</p> : (
            <ul class="plain-list">
              {data.deliveries.slice(0, 10).map((delivery) => (
                <li key={delivery.id}>
                  <strong>{delivery.event ?? 'event'}</strong> {delivery.result ?? ''} {delivery.ref ?? ''}{' '}
                  {delivery.after ? <code>{delivery.after.slice(0, 7)}</code> : null} <Time iso={delivery.createdAt} />
                  {delivery.detail ? <span class="hint"> — {delivery.detail}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}
