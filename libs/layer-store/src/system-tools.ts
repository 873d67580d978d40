import { execFile, ExecFileException } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { LayerStoreError, LayerStoreErrorCode } from './errors';

export type DeviceKind = 'char' | 'block' | 'fifo';

/**
 * The privileged filesystem operations Node has no API for: extended attributes and device nodes.
 * A seam so tests and non-root callers can substitute them.
 */
export interface SystemTools {
  /** Extended attributes named in `names` for every path under `dir` (not following symlinks), by absolute path. */
  readXattrsUnder(dir: string, names: readonly string[]): Promise<Map<string, Map<string, Buffer>>>;
  setXattr(path: string, name: string, value: Buffer): Promise<void>;
  makeNode(path: string, kind: DeviceKind, major: number, minor: number): Promise<void>;
}

const MAX_TOOL_OUTPUT = 256 * 1024 * 1024;

/** getfattr/setfattr from Debian's `attr` package and coreutils' mknod, always with argument arrays. */
export class CommandLineSystemTools implements SystemTools {
  async readXattrsUnder(dir: string, names: readonly string[]): Promise<Map<string, Map<string, Buffer>>> {
    requireAbsolute(dir);
    const pattern = `^(${names.map(escapeRegExp).join('|')})$`;
    // One walk for the whole tree: a process per file would dominate the time to archive a layer.
    const output = await run('getfattr', ['--absolute-names', '-R', '-P', '-h', '-d', '-e', 'hex', '-m', pattern, '--', dir]);
    return parseGetfattrDump(output);
  }

  async setXattr(path: string, name: string, value: Buffer): Promise<void> {
    requireAbsolute(path);
    await run('setfattr', ['-h', '-n', name, '-v', `0x${value.toString('hex')}`, '--', path]);
  }

  async makeNode(path: string, kind: DeviceKind, major: number, minor: number): Promise<void> {
    requireAbsolute(path);
    const args = kind === 'fifo' ? ['--', path, 'p'] : ['--', path, kind === 'char' ? 'c' : 'b', String(major), String(minor)];
    await run('mknod', args);
  }
}

/** Parses `getfattr -d -e hex` output; file names come octal-escaped (`\012`, `\134`). */
export function parseGetfattrDump(output: string): Map<string, Map<string, Buffer>> {
  const result = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      result.set(unescapeOctal(line.slice('# file: '.length)), current);
      continue;
    }
    const equals = line.indexOf('=');
    if (current === undefined || equals === -1) continue;
    const value = line.slice(equals + 1);
    current.set(line.slice(0, equals), value.startsWith('0x') ? Buffer.from(value.slice(2), 'hex') : Buffer.alloc(0));
  }
  return result;
}

function unescapeOctal(escaped: string): string {
  const decoded = escaped.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
  return Buffer.from(decoded, 'latin1').toString('utf8');
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: MAX_TOOL_OUTPUT, encoding: 'latin1' }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      reject(toolError(command, args, error, stderr));
    });
  });
}

function toolError(command: string, args: string[], error: ExecFileException, stderr: string): LayerStoreError {
  if (error.code === 'ENOENT') {
    return new LayerStoreError(
      LayerStoreErrorCode.ToolMissing,
      `${command} is not installed; install it (Debian: apt-get install ${command === 'mknod' ? 'coreutils' : 'attr'})`,
      { command },
    );
  }
  return new LayerStoreError(
    LayerStoreErrorCode.ToolFailed,
    `${command} failed: ${stderr.trim() || error.message}; Berth needs root (CAP_SYS_ADMIN, CAP_MKNOD) for layer work`,
    { command, args },
  );
}

function requireAbsolute(path: string): void {
  // An absolute path can never be mistaken for an option by the tools.
  if (!isAbsolute(path)) throw new TypeError(`expected an absolute path, got ${path}`);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
