import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../test/support/test-env';

export const NGINX = '/usr/sbin/nginx';

/** The app instance's answer: ~100 bytes, as a small JSON API would give. */
export const APP_BODY = '{"ok":true,"service":"bench","message":"hello from the app instance behind the proxy, 100 bytes"}';

export interface Running {
  label: string;
  port: number;
  stop(): Promise<void>;
}

function tempPaths(dir: string): string {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `${name}_temp_path ${path.join(dir, name)};`).join('\n  ');
}

/** nginx as the app instance: a fixed answer, so the app is never the bottleneck of either proxy. */
function appConfig(dir: string, port: number): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${tempPaths(dir)}
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    location / { default_type application/json; return 200 '${APP_BODY}'; }
  }
}
`;
}

/** nginx as the reverse proxy, configured as a user would: upstream keep-alive, X-Forwarded-* set. */
function proxyConfig(dir: string, port: number, upstreamPort: number, workers: string): string {
  return `worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${tempPaths(dir)}
  keepalive_requests 1000000;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
    }
  }
}
`;
}

/** Starts a child and resolves once `ready()` says it serves, or rejects with its output. */
async function startChild(label: string, child: ChildProcess, port: number): Promise<Running> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    label,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function startNginx(label: string, dir: string, config: string, port: number): Promise<Running> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'nginx.conf');
  await fs.writeFile(file, config);
  const child = spawn(NGINX, ['-p', dir, '-c', file, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return startChild(label, child, port);
}

export async function startApp(workDir: string): Promise<Running> {
  const port = await freePort();
  return startNginx('app', path.join(workDir, 'app'), appConfig(path.join(workDir, 'app'), port), port);
}

export async function startNginxProxy(workDir: string, upstreamPort: number, workers: string, label = 'nginx'): Promise<Running> {
  const port = await freePort();
  const dir = path.join(workDir, label);
  return startNginx(label, dir, proxyConfig(dir, port, upstreamPort, workers), port);
}

/** Berth's router in its own process (`router-process.js`), optionally profiled with --cpu-prof. */
export async function startBerthRouter(upstreamPort: number, options: { workers: number; profileDir?: string; label?: string }): Promise<Running> {
  const port = await freePort();
  const script = path.join(__dirname, 'router-process.js');
  const flags = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const child = spawn(process.execPath, [...flags, script, String(port), String(upstreamPort), String(options.workers)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return startChild(options.label ?? 'berth', child, port);
}

/** A bare byte pipe in Node (`node-pipe.js`): the ceiling for any data path through Node's sockets. */
export async function startNodePipe(upstreamPort: number): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, 'node-pipe.js'), String(port), String(upstreamPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return startChild('pipe', child, port);
}
