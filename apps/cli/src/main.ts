import type { BerthConfig } from '@berth/config';

const USAGE = `usage: berth COMMAND

  up                 api, worker and router in one supervised process tree (what npm start runs)
  api | worker | router
                     one role alone
  migrate [--revert] run pending database migrations (--revert undoes the newest one)
  build CONTEXT [-f FILE] [-t NAME:TAG] [--build-arg K=V]... [--target STAGE] [--no-cache]
                     build an image with Berth's builder into the local layer store
  image ls           images in the layer store
  image save NAME:TAG -o FILE
                     write a docker load-compatible archive
  image gc           remove blobs and snapshots no tag, running build or release needs
  help               this text

Configuration comes from the environment; see README.md.`;

type Command = (config: BerthConfig, args: string[]) => Promise<number | void>;

/** Each command is imported only when it runs, so `berth help` never loads Nest. */
const COMMANDS: Record<string, Command> = {
  up: async (config) => (await import('./supervisor')).runSupervisor(config),
  api: async (config) => (await import('../../api/src/main')).runApi(config),
  worker: async (config) => (await import('../../worker/src/main')).runWorker(config),
  router: async (config) => (await import('../../router/src/main')).runRouter(config),
  migrate: async (config, args) => (await import('./migrate')).runMigrate(config, args),
  build: async (config, args) => (await import('./build-command')).runBuild(config, args),
  image: async (config, args) => (await import('./image-command')).runImage(config, args),
};

/** Returns an exit code for commands that finish; servers keep running and return nothing. */
export async function main(argv: string[]): Promise<number | void> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`berth: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  // The loader's own entry point: the config index would load Nest for commands that need none.
  const { ConfigError, loadConfig } = await import('@berth/config/load');
  let config: BerthConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  return command(config, args);
}
