// The console's only door to Berth: the /api routes with the signed-in token.

const TOKEN_KEY = 'berth.token';
type Listener = () => void;
const listeners = new Set<Listener>();
let sessionEnded = false;

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionEnded = false;
  listeners.forEach((listener) => listener());
}

/** expired: the api refused the token (401), so the sign-in page says why it is back. */
export function signOut(expired = false): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionEnded = expired;
  listeners.forEach((listener) => listener());
}

export function wasSessionEnded(): boolean {
  return sessionEnded;
}

export function onAuthChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function authHeaders(token = getToken()): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** JSON in, JSON out; a 401 signs out, other errors carry Berth's message. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(init.token), Accept: 'application/json' };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (response.status === 401 && !init.token) signOut(true);
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) {
    throw new ApiError(response.status, body?.error?.code ?? 'error', body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return body as T;
}

export const appPath = (name: string, rest = '') => `/api/apps/${encodeURIComponent(name)}${rest}`;

export interface AppSummary {
  name: string;
  gitUrl: string;
  url: string;
  deployBranch: string;
  formation?: Record<string, number>;
  createdAt: string;
}

export interface Instance {
  id: string;
  process: string;
  port: number;
  status: string;
  containerId: string | null;
  startedAt: string;
  cpuPercent?: number | null;
  memoryBytes?: number | null;
  memoryLimitBytes?: number | null;
}

export interface ReleaseSummary {
  version: number;
  imageDigest: string | null;
  description: string;
  processTypes: Record<string, string>;
  createdAt: string;
}

export interface AppDetails extends AppSummary {
  release: ReleaseSummary | null;
  instances: Instance[];
}

export interface Release extends ReleaseSummary {
  status: 'pending' | 'deploying' | 'deployed' | 'failed';
  configKeys: string[];
  error: string | null;
  deployedAt: string | null;
}

export interface Build {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'superseded' | 'cancelled';
  source: string;
  commit: string;
  branch: string;
  imageDigest: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const FINISHED_BUILD = ['succeeded', 'failed', 'superseded', 'cancelled'];

export interface Domain {
  hostname: string;
  createdAt: string;
}

export interface LogLine {
  id: string;
  time: string;
  app: string;
  release: number | null;
  process: string | null;
  instance: string | null;
  stream: 'stdout' | 'stderr' | 'berth';
  message: string;
}

/** The exact line a user pastes to push to this app: the git URL with the token as password. */
export function gitRemoteLine(gitUrl: string, token: string): string {
  const url = new URL(gitUrl);
  url.username = 'berth';
  url.password = token;
  return `git remote add paas ${url.toString()}`;
}
