import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generateDeployKey, GitCommitFetcher } from '@berth/github';
import { GitWork } from '../support/git-work';

const run = promisify(execFile);

/**
 * The fetcher with real git: over "ssh" (an `ssh` stand-in on PATH that logs how it was called
 * and serves the repository with the real git-upload-pack), and over http with a token.
 */
describe('GitCommitFetcher', () => {
  let root: string;
  let origin: string;
  let target: string;
  let commit: string;
  let searchPath = '';

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-fetcher-'));
    const work = new GitWork(path.join(root, 'work'));
    await fs.mkdir(work.dir);
    await work.git('init', '-q', '--initial-branch=trunk');
    await work.commit({ 'README.md': 'hello\n' });
    commit = (await work.git('rev-parse', 'HEAD')).stdout.trim();
    origin = path.join(root, 'origin.git');
    await work.git('clone', '-q', '--bare', work.dir, origin);
    target = path.join(root, 'target.git');
    await run('git', ['init', '-q', '--bare', '--initial-branch=main', target]);
    // A stand-in for ssh: records its arguments and the key file's mode, then runs the remote command locally.
    const bin = path.join(root, 'bin');
    await fs.mkdir(bin);
    const script = `#!/bin/sh\nlog="${root}/ssh.log"\necho "args: $*" >> "$log"\nwhile [ $# -gt 1 ]; do if [ "$1" = "-i" ]; then stat -c 'mode: %a' "$2" >> "$log"; fi; shift; done\nexec sh -c "$1"\n`;
    await fs.writeFile(path.join(bin, 'ssh'), script, { mode: 0o755 });
    searchPath = `${bin}:${process.env.PATH}`;
  });

  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('fetches a commit over ssh with the deploy key in a 0600 file that is gone afterwards', async () => {
    const key = generateDeployKey('berth:test');
    await new GitCommitFetcher(searchPath).fetch({ gitDir: target, url: `git@github.invalid:${origin}`, branch: 'trunk', commit, targetRef: 'refs/heads/main', deployKey: key.privateKey });
    const { stdout } = await run('git', ['--git-dir', target, 'rev-parse', 'refs/heads/main']);
    assert.equal(stdout.trim(), commit);
    const log = await fs.readFile(path.join(root, 'ssh.log'), 'utf8');
    assert.match(log, /args: -i \S+ -o IdentitiesOnly=yes -o BatchMode=yes/);
    assert.match(log, /mode: 600/);
    const keyFile = /-i (\S+)/.exec(log)![1];
    await assert.rejects(fs.stat(keyFile), /ENOENT/, 'the key file is removed after the fetch');
  });

  it('sends a token as a Basic authorization header, not on the command line', async () => {
    const seen: Array<string | undefined> = [];
    const server = http.createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(request.headers.authorization ? 404 : 401, { 'WWW-Authenticate': 'Basic realm="x"' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/octo/app.git`;
      await assert.rejects(
        new GitCommitFetcher(searchPath).fetch({ gitDir: target, url, branch: 'main', commit, targetRef: 'refs/heads/main', token: 'ghp_secret' }),
        (error: Error) => error.message.includes('failed') && !error.message.includes('ghp_secret'),
      );
      assert.equal(seen[0], `Basic ${Buffer.from('x-access-token:ghp_secret').toString('base64')}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
