import { api, AppDetails, appPath, Instance } from '../api';
import { usePoll } from '../hooks';
import { GitRemote } from '../components/git-remote';
import { ErrorNote, formatBytes, Section, StatusBadge, TableWrap, Time } from '../components/ui';
import { GitHub } from './github';

export function Overview({ app, token }: { app: AppDetails; token: string }) {
  return (
    <>
      <Section title="Instances" id="instances-heading">
        <Instances app={app.name} />
      </Section>
      <Section title="Deploy with git" id="deploy-heading">
        <GitRemote gitUrl={app.gitUrl} token={token} />
      </Section>
      <GitHub app={app.name} />
    </>
  );
}

function Instances({ app }: { app: string }) {
  // Docker samples stats over about a second, so this polls less often than the lists.
  const instances = usePoll((signal) => api<Instance[]>(appPath(app, '/instances'), { signal }), [app], 5000);
  if (instances.error) return <ErrorNote error={instances.error} />;
  if (!instances.data) return <p>Loading…</p>;
  if (instances.data.length === 0) return <p>No instances are running.</p>;
  return (
    <TableWrap label="Instances with CPU and memory use">
        <thead>
          <tr>
            <th scope="col">Process</th>
            <th scope="col">Status</th>
            <th scope="col">Port</th>
            <th scope="col">CPU</th>
            <th scope="col">Memory</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {instances.data.map((instance) => (
            <tr key={instance.id} data-testid="instance">
              <th scope="row">{instance.process}</th>
              <td><StatusBadge status={instance.status} /></td>
              <td>{instance.port}</td>
              <td data-testid="cpu">{instance.cpuPercent === null || instance.cpuPercent === undefined ? '—' : `${instance.cpuPercent.toFixed(1)} %`}</td>
              <td data-testid="memory">
                {formatBytes(instance.memoryBytes)}
                {instance.memoryLimitBytes ? ` of ${formatBytes(instance.memoryLimitBytes)}` : ''}
              </td>
              <td><Time iso={instance.startedAt} /></td>
            </tr>
          ))}
        </tbody>
      </TableWrap>
  );
}
