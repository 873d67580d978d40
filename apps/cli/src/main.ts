import type { BerthConfig } from '@berth/config';

const USAGE = `usage: berth COMMAND

  up                 api, worker and router in one supervised process tree (what npm start runs)
  api | worker | router
                     one role alone
  migrate [--revert] run pending database migrations (--revert undoes the newest one)
  build CONTEXT [-f FILE] [-t NAME:TAG] [--build-arg K=V]... [--target STAGE] [--no-cache]
                     build an image with Berth's builder into the local layer store
  build-daemon [--idle-exit SECONDS]
                     the warm builder that berth build starts on demand (BERTH_BUILD_DAEMON)
  image ls           images in the layer store
  image save NAME:TAG -o FILE
                     write a docker load-compatible archive
  image gc           remove blobs and snapshots no tag, running build or release needs
  help               this text

Configuration comes from the environment; see README.md.`;

type Command = (config: BerthConfig, args: string[]) => Promise<number | void>;
/** A command that loads the configuration itself, only when and as far as it needs it. */
type LightCommand = (args: string[], loadConfig: () => Promise<BerthConfig | null>) => Promise<number>;

/** Each command is imported only when it runs, so `berth help` never loads Nest. */
const COMMANDS: Record<string, Command> = {
  up: async (config) => (await import('./supervisor')).runSupervisor(config),
  api: async (config) => (await import('../../api/src/main')).runApi(config),
  worker: async (config) => (await import('../../worker/src/main')).runWorker(config),
  router: async (config) => (await import('../../router/src/main')).runRouter(config),
  migrate: async (config, args) => (await import('./migrate')).runMigrate(config, args),
  'build-daemon': async (config, args) => (await import('./build/build-daemon')).runBuildDaemon(config, args),
  image: async (config, args) => (await import('./image-command')).runImage(config, args),
};

const LIGHT_COMMANDS: Record<string, LightCommand> = {
  build: async (args, loadConfig) => (await import('./build/build-command')).runBuild(args, loadConfig),
};

/** Returns an exit code for commands that finish; servers keep running and return nothing. */
export async function main(argv: string[]): Promise<number | void> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const light = LIGHT_COMMANDS[name];
  if (light) return light(args, loadConfigOrReport);
  const command = COMMANDS[name];
  if (!command) {
    console.error(`berth: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const config = await loadConfigOrReport();
  return config ? command(config, args) : 1;
}

/** The configuration, or null once the one-line reason it is unusable has been printed. */
async function loadConfigOrReport(): Promise<BerthConfig | null> {
  // The loader's own entry point: the config index would load Nest for commands that need none.
  const { ConfigError, loadConfig } = await import('@berth/config/load');
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return null;
    }
    throw error;
  }
}
