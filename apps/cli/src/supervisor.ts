import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { BerthConfig, inheritedEnvironment } from '@berth/config';
import { createDataSource, runMigrations } from '@berth/db';
import { ensureAdminToken } from '@berth/auth';
import { restartDelayMs, STABLE_AFTER_MS } from './backoff';

const ROLES = ['api', 'worker', 'router'] as const;
type Role = (typeof ROLES)[number];
const STOP_GRACE_MS = 15_000;
const BIN = path.resolve(__dirname, '../../../../bin/berth.js');

interface Supervised {
  role: Role;
  child?: ChildProcess;
  startedAt: number;
  failures: number;
  restartTimer?: NodeJS.Timeout;
}

/** `berth up`: prepares the database, then runs api, worker and router as supervised children. */
export async function runSupervisor(config: BerthConfig): Promise<void> {
  const adminToken = await prepare(config);
  printBanner(config, adminToken);
  const supervisor = new Supervisor(config);
  supervisor.startAll();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) return supervisor.killAll();
    log('up', `${signal} received: stopping api, worker and router (again to force)`);
    void supervisor.stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function prepare(config: BerthConfig): Promise<string | undefined> {
  for (const name of await runMigrations(config.databaseUrl)) log('up', `migrated: ${name}`);
  const dataSource = await createDataSource(config.databaseUrl).initialize();
  try {
    return (await ensureAdminToken(dataSource, config.adminToken)).generatedToken;
  } finally {
    await dataSource.destroy();
  }
}

function printBanner(config: BerthConfig, adminToken: string | undefined): void {
  const api = `http://localhost:${config.api.port}`;
  const lines = [
    'Berth is starting',
    `  API       ${api}/api`,
    `  Console   ${api}/`,
    `  Git       http://berth:TOKEN@localhost:${config.api.port}/NAME.git`,
    `  Apps      http://NAME.${config.router.domain}:${config.router.port}/`,
    adminToken
      ? `  Admin token (shown once; keep it, or set BERTH_ADMIN_TOKEN): ${adminToken}`
      : `  Admin token: ${config.adminToken ? 'the value of BERTH_ADMIN_TOKEN' : 'the one printed on the first start'}`,
  ];
  console.log(lines.join('\n'));
}

class Supervisor {
  private readonly children: Supervised[] = ROLES.map((role) => ({ role, startedAt: 0, failures: 0 }));
  private stopping = false;

  constructor(private readonly config: BerthConfig) {}

  startAll(): void {
    for (const supervised of this.children) this.start(supervised);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.children.map((supervised) => this.stop(supervised)));
  }

  killAll(): void {
    for (const { child } of this.children) child?.kill('SIGKILL');
  }

  private start(supervised: Supervised): void {
    const pretty = this.config.log.pretty || process.stdout.isTTY;
    const child = spawn(process.execPath, [BIN, supervised.role], {
      env: inheritedEnvironment({ BERTH_LOG_FORMAT: pretty ? 'pretty' : 'json' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervised.child = child;
    supervised.startedAt = Date.now();
    log('up', `started ${supervised.role} (pid ${child.pid})`);
    prefixLines(child, supervised.role);
    child.once('exit', (code, signal) => this.onExit(supervised, code, signal));
  }

  private onExit(supervised: Supervised, code: number | null, signal: NodeJS.Signals | null): void {
    supervised.child = undefined;
    if (this.stopping) return;
    const ranFor = Date.now() - supervised.startedAt;
    supervised.failures = ranFor >= STABLE_AFTER_MS ? 1 : supervised.failures + 1;
    const delay = restartDelayMs(supervised.failures);
    log('up', `${supervised.role} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000}s`);
    supervised.restartTimer = setTimeout(() => {
      if (!this.stopping) this.start(supervised);
    }, delay);
  }

  private async stop(supervised: Supervised): Promise<void> {
    clearTimeout(supervised.restartTimer);
    const child = supervised.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      log('up', `${supervised.role} did not stop within ${STOP_GRACE_MS / 1000}s; killing it`);
      child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    log('up', `${supervised.role} stopped`);
  }
}

function prefixLines(child: ChildProcess, role: Role): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => log(role, line));
  }
}

function log(source: string, line: string): void {
  process.stdout.write(`${`[${source}]`.padEnd(9)}${line}\n`);
}
