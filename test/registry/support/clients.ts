import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProcessResult, run, runOk } from './processes';
import { RegistryTarget } from './registries';

/** Debian's Docker 20.10 client: the `docker` first on PATH here may be another build. */
export const DOCKER = '/usr/bin/docker';
export const SKOPEO = '/usr/bin/skopeo';

/**
 * The docker client with its own DOCKER_CONFIG, so `docker login` writes its credentials to a
 * temp directory and the user's ~/.docker/config.json is never touched.
 */
export class DockerCli {
  private constructor(readonly configDir: string) {}

  static async create(): Promise<DockerCli> {
    return new DockerCli(await fs.mkdtemp(path.join(os.tmpdir(), 'berth-docker-config-')));
  }

  /** The classic builder: it needs no network for COPY, and this dockerd has no bridge. */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_CONFIG: this.configDir, DOCKER_BUILDKIT: '0' };
  }

  run(args: string[], input?: Buffer): Promise<ProcessResult> {
    return run(DOCKER, args, { env: this.env(), input });
  }

  ok(args: string[], input?: Buffer): Promise<ProcessResult> {
    return runOk(DOCKER, args, { env: this.env(), input });
  }

  login(target: RegistryTarget, password = target.password): Promise<ProcessResult> {
    return this.run(['login', target.host, '-u', target.username, '--password-stdin'], Buffer.from(password));
  }

  async dispose(): Promise<void> {
    await fs.rm(this.configDir, { recursive: true, force: true });
  }
}

/**
 * skopeo with credentials on the command line and an auth file of its own (never the user's),
 * plain HTTP to the loopback registry, and no dependence on the system's signature policy.
 */
export class SkopeoCli {
  private constructor(private readonly authFile: string) {}

  static async create(): Promise<SkopeoCli> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-skopeo-'));
    return new SkopeoCli(path.join(dir, 'auth.json'));
  }

  copy(target: RegistryTarget, source: string, destination: string, extra: string[] = []): Promise<ProcessResult> {
    const creds = `${target.username}:${target.password}`;
    const flags = [
      ...(source.startsWith('docker://') ? ['--src-tls-verify=false', '--src-creds', creds] : []),
      ...(destination.startsWith('docker://') ? ['--dest-tls-verify=false', '--dest-creds', creds] : []),
    ];
    return this.ok(['copy', '--retry-times', '0', ...flags, ...extra, source, destination]);
  }

  /** `inspect`, `list-tags`, `delete`: commands that take one image and --creds. */
  remote(target: RegistryTarget, command: string, image: string, extra: string[] = []): Promise<ProcessResult> {
    return this.ok([command, '--tls-verify=false', '--creds', `${target.username}:${target.password}`, ...extra, image]);
  }

  ok(args: string[]): Promise<ProcessResult> {
    return runOk(SKOPEO, ['--insecure-policy', ...args], { env: { ...process.env, REGISTRY_AUTH_FILE: this.authFile } });
  }

  async dispose(): Promise<void> {
    await fs.rm(path.dirname(this.authFile), { recursive: true, force: true });
  }
}
