import type { BerthConfig } from '@berth/config';
import { loadBuildClientConfig } from '@berth/config/client';
import { BUILD_USAGE, BuildRequest, parseBuildArgs } from './build-request';
import { buildInChildWithCaCerts, buildThroughDaemon } from './daemon-client';
import type { BuildOutput } from './local-build';

const terminal: BuildOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `berth build`: builds with Berth's builder into the local layer store; the last line is the
 * digest. Through the data dir's build daemon unless BERTH_BUILD_DAEMON=off; in this process
 * otherwise, or when no daemon can be started. A warm daemon build never loads the full
 * configuration or the builder's modules here.
 */
export async function runBuild(argv: string[], loadConfig: () => Promise<BerthConfig | null>): Promise<number> {
  let request: BuildRequest;
  try {
    request = parseBuildArgs(argv, process.cwd());
  } catch (error) {
    console.error(`berth build: ${(error as Error).message}\n${BUILD_USAGE}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('berth build: needs root (overlay mounts and runc); run it as root or through sudo');
    return 1;
  }
  const client = loadBuildClientConfig();
  if (client?.buildDaemon === 'auto') {
    const exitCode = await buildThroughDaemon(client, request, terminal);
    if (exitCode !== null) return exitCode;
    const childExitCode = await buildInChildWithCaCerts(argv);
    if (childExitCode !== null) return childExitCode;
  }
  const config = await loadConfig();
  if (!config) return 1;
  const { BuildEngine } = await import('./local-build');
  return (await BuildEngine.open(config)).build(request, terminal);
}
