import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { GitHttpHandler } from './git-http.handler';
import { GitRepositories } from './git-repositories';

const execFileAsync = promisify(execFile);
const TOKEN = 'berth_secret-token';

describe('git smart HTTP (real git client)', () => {
  let dir: string;
  let repos: GitRepositories;
  let server: http.Server;
  let base: string;
  let work: string;

  async function git(args: string[], cwd = work): Promise<{ stdout: string; stderr: string }> {
    return execFileAsync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'credential.helper=', ...args], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
  }

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-git-http-'));
    repos = new GitRepositories(dir);
    await repos.create('myapp');
    const handler = new GitHttpHandler({
      authorize: async (token) => (token === TOKEN ? 'user-1' : null),
      repository: async (app) => ((await repos.exists(app)) ? repos.path(app) : null),
      pushEnvironment: async (app) => ({ BERTH_PUSH_APP: app }),
    });
    server = http.createServer((request, response) => {
      void handler.handle(request, response).then((handled) => handled || response.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    work = path.join(dir, 'work');
    await fs.mkdir(work);
    await git(['init', '-q', '--initial-branch=main']);
    await fs.writeFile(path.join(work, 'a.txt'), 'one\n');
    await git(['add', '.']);
    await git(['commit', '-qm', 'first']);
  });

  after(async () => {
    server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const remote = (app = 'myapp', token = TOKEN) => `http://berth:${token}@${base.slice('http://'.length)}/${app}.git`;

  it('accepts a push with an API token as the password and stores the commit', async () => {
    await git(['push', remote(), 'main']);
    const head = (await git(['rev-parse', 'HEAD'])).stdout.trim();
    assert.equal(await repos.branchHead('myapp', 'main'), head);
  });

  it('lets collaborators clone', async () => {
    const clone = path.join(dir, 'clone');
    await git(['clone', '-q', remote(), clone], dir);
    assert.equal(await fs.readFile(path.join(clone, 'a.txt'), 'utf8'), 'one\n');
  });

  it('refuses a push without a valid token, and an unknown app', async () => {
    await assert.rejects(git(['push', remote('myapp', 'wrong'), 'main']), /Authentication failed|401/);
    await assert.rejects(git(['push', remote('nope'), 'main']), /404|not found/i);
  });

  it('runs hooks with the push environment, allows force pushes and refuses branch deletion', async () => {
    await fs.writeFile(path.join(repos.hooksDir, 'pre-receive'), '#!/bin/sh\necho "hook for $BERTH_PUSH_APP"\n', { mode: 0o755 });
    await git(['commit', '-q', '--amend', '-m', 'rewritten']);
    const pushed = await git(['push', '--force', remote(), 'main']);
    assert.match(pushed.stderr, /remote: hook for myapp/);
    await assert.rejects(git(['push', remote(), ':main']), /deletion prohibited|refusing to delete/);
    await fs.rm(path.join(repos.hooksDir, 'pre-receive'));
  });

  it('answers 400 to requests that are not git smart HTTP', async () => {
    const response = await fetch(`${base}/myapp.git/info/refs?service=git-annex`, { headers: { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    assert.equal(response.status, 400);
  });
});
