import { api, AppDetails, appPath } from '../api';
import { useFocusOnChange, usePoll } from '../hooks';
import { ErrorNote, PageHeading, StatusBadge } from '../components/ui';
import { appStatus } from './apps-list';
import { Overview } from '../sections/overview';
import { Builds } from '../sections/builds';
import { RuntimeLogs } from '../sections/logs';
import { Releases } from '../sections/releases';
import { ConfigVars } from '../sections/config';
import { Settings } from '../sections/settings';

const TABS: Array<[string, string]> = [
  ['overview', 'Overview'],
  ['builds', 'Builds'],
  ['logs', 'Logs'],
  ['releases', 'Releases'],
  ['config', 'Config'],
  ['settings', 'Scale & domains'],
];

export function AppPage({ name, tab, itemId, token }: { name: string; tab: string; itemId?: string; token: string }) {
  const heading = useFocusOnChange<HTMLHeadingElement>(`${name}/${tab}`);
  const details = usePoll((signal) => api<AppDetails>(appPath(name), { signal }), [name]);
  const app = details.data;
  const label = TABS.find(([key]) => key === tab)?.[1] ?? 'Overview';

  return (
    <>
      <p class="breadcrumb">
        <a href="#/">Apps</a> / {name}
      </p>
      <PageHeading headingRef={heading}>
        {name}
        <span class="visually-hidden">: {label}</span>
      </PageHeading>
      <ErrorNote error={details.error} />
      {app && (
        <p class="app-meta">
          <StatusBadge status={appStatus(app)} />
          <span>{app.release ? `Release v${app.release.version}` : 'No release yet'}</span>
          <a href={app.url}>{app.url}</a>
        </p>
      )}
      <nav aria-label={`${name} sections`} class="tabs">
        {TABS.map(([key, text]) => (
          <a key={key} href={`#/apps/${name}${key === 'overview' ? '' : `/${key}`}`} aria-current={key === tab ? 'page' : undefined}>
            {text}
          </a>
        ))}
      </nav>
      {app && <TabContent app={app} tab={tab} itemId={itemId} token={token} reload={details.reload} />}
    </>
  );
}

function TabContent({ app, tab, itemId, token, reload }: { app: AppDetails; tab: string; itemId?: string; token: string; reload: () => void }) {
  switch (tab) {
    case 'builds':
      return <Builds app={app.name} buildId={itemId} />;
    case 'logs':
      return <RuntimeLogs app={app} token={token} />;
    case 'releases':
      return <Releases app={app} onChange={reload} />;
    case 'config':
      return <ConfigVars app={app.name} onChange={reload} />;
    case 'settings':
      return <Settings app={app} onChange={reload} />;
    default:
      return <Overview app={app} token={token} />;
  }
}
