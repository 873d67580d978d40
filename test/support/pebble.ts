import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { eventually, freePort } from './test-env';

/**
 * Debian's pebble (a local ACME server) on loopback. Its own HTTPS API uses a throwaway
 * certificate made here with openssl (the package ships none); its validator connects to
 * `hostname:httpPort`, resolving names through `dnsPort`.
 */
export interface Pebble {
  directoryUrl: string;
  /** PEM of the CA that signed pebble's API certificate (for BERTH_ACME_CA_BUNDLE). */
  apiCaPath: string;
  /** The root that issued the certificates pebble hands out, from its management API. */
  issuingRoot(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPebble(options: { dir: string; listenPort: number; httpPort: number; dnsPort: number }): Promise<Pebble> {
  await fs.mkdir(options.dir, { recursive: true });
  const certPath = path.join(options.dir, 'api-cert.pem');
  const keyPath = path.join(options.dir, 'api-key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '1', '-subj', '/CN=pebble test API', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  const listenPort = options.listenPort;
  const [managementPort, tlsPort] = [await freePort(), await freePort()];
  const configPath = path.join(options.dir, 'pebble-config.json');
  await fs.writeFile(configPath, JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${listenPort}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: certPath,
      privateKey: keyPath,
      httpPort: options.httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  }));
  const child = spawn('pebble', ['-config', configPath, '-dnsserver', `127.0.0.1:${options.dnsPort}`], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_VA_ALWAYS_VALID: '0', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ca = await fs.readFile(certPath);
  const directoryUrl = `https://127.0.0.1:${listenPort}/dir`;
  await eventually(async () => (await get(directoryUrl, ca)).includes('newOrder'), 10_000, `pebble to start (${output})`).catch((error) => {
    child.kill();
    throw error;
  });
  return {
    directoryUrl,
    apiCaPath: certPath,
    issuingRoot: () => get(`https://127.0.0.1:${managementPort}/roots/0`, ca),
    stop: () => stopChild(child),
  };
}

function get(url: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${response.statusCode} ${body}`))));
    }).on('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
