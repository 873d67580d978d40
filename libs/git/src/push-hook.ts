import fs from 'node:fs/promises';
import path from 'node:path';

/** Environment variables the api hands to receive-pack, which its hooks inherit. */
export const PUSH_ENV = { url: 'BERTH_PUSH_URL', secret: 'BERTH_PUSH_SECRET' } as const;

/** The last line of the api's answer: the hook's exit code. Never shown to the user. */
export const EXIT_MARKER = '\u0000berth-exit:';

const HOOK_SOURCE = path.resolve(__dirname, '../../../../libs/git/hook/pre-receive.js');

/**
 * The pre-receive hook every app repository shares (libs/git/hook/pre-receive.js). It makes the
 * pushed objects visible to other processes, hands the ref updates to the api (loopback, with
 * the per-push secret), prints the build and deploy log as it streams back — each line starting
 * with ESC[1G, which moves the cursor over git's "remote: " prefix as Dokku does — and exits
 * with the api's verdict, so a failed build rejects the push.
 */
export async function preReceiveHookScript(nodeBinary: string): Promise<string> {
  return `#!${nodeBinary}\n${await fs.readFile(HOOK_SOURCE, 'utf8')}`;
}

/** Writes the hook into the shared hooks directory (idempotent; replaced on every start). */
export async function installPreReceiveHook(hooksDir: string, nodeBinary: string): Promise<void> {
  await fs.mkdir(hooksDir, { recursive: true });
  const file = path.join(hooksDir, 'pre-receive');
  await fs.writeFile(`${file}.tmp`, await preReceiveHookScript(nodeBinary), { mode: 0o755 });
  await fs.rename(`${file}.tmp`, file);
}
