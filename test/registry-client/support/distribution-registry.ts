import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const TOOLS = [
  { command: 'docker-registry', probe: ['--version'], pkg: 'docker-registry' },
  { command: 'skopeo', probe: ['--version'], pkg: 'skopeo' },
];

function missingTools(): string[] {
  return TOOLS.filter((tool) => spawnSync(tool.command, tool.probe, { stdio: 'ignore' }).status !== 0).map((tool) => tool.pkg);
}

/**
 * Why the registry tests cannot run here, or null when they can. Installs Debian's
 * docker-registry and skopeo when they are missing and this is root (bootstrap normally has).
 */
export function registryToolsUnavailable(): string | null {
  let missing = missingTools();
  if (missing.length === 0) return null;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) return `needs ${missing.join(' and ')} (apt-get install ${missing.join(' ')} as root, or run scripts/bootstrap)`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, stdio: 'ignore', timeout: 300_000 });
  missing = missingTools();
  if (missing.length === 0) return null;
  return `could not install ${missing.join(' and ')} with apt-get (exit ${String(install.status)}); install them or run scripts/bootstrap`;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RegistryTokenAuth {
  realm: string;
  service: string;
  issuer: string;
  certificatePem: string;
}

/** Debian's docker-registry (distribution 2.8, the reference implementation) on a loopback port with token auth. */
export class DistributionRegistry {
  readonly storageDir: string;
  private child?: ChildProcess;
  private stderr = '';
  host = '';

  constructor(private readonly workDir: string) {
    this.storageDir = path.join(workDir, 'storage');
  }

  async start(auth: RegistryTokenAuth): Promise<string> {
    const port = await freePort();
    this.host = `127.0.0.1:${port}`;
    const certificate = path.join(this.workDir, 'token-issuer.pem');
    await fs.writeFile(certificate, auth.certificatePem);
    const config = {
      version: 0.1,
      log: { level: 'error', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: this.storageDir }, delete: { enabled: true } },
      http: { addr: this.host, secret: randomBytes(16).toString('hex') },
      auth: { token: { realm: auth.realm, service: auth.service, issuer: auth.issuer, rootcertbundle: certificate } },
    };
    // YAML is a superset of JSON, so the config is written with JSON.stringify.
    const configPath = path.join(this.workDir, 'registry.yml');
    await fs.writeFile(configPath, JSON.stringify(config, null, 2));
    this.child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    await this.waitUntilAnswering();
    return this.host;
  }

  /** The file holding a blob in the registry's storage, for tests that damage it. */
  blobDataPath(digest: string): string {
    const hex = digest.slice('sha256:'.length);
    return path.join(this.storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) break;
      const status = await fetch(`http://${this.host}/v2/`).then((response) => response.status, () => 0);
      if (status === 401) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`docker-registry did not answer on ${this.host} within 15s: ${this.stderr.trim() || 'no output'}`);
  }
}

/** Pushes with skopeo; asynchronous, since the token server it asks lives in this process. */
export async function skopeoCopy(args: string[]): Promise<void> {
  const child = spawn('skopeo', ['--insecure-policy', 'copy', '--quiet', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  if (status !== 0) throw new Error(`skopeo copy ${args.join(' ')} failed (exit ${String(status)}): ${stderr.trim()}`);
}
