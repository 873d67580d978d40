/** A Procfile process type: lower-case letters, digits, '-' and '_' (Heroku's rule). */
const PROCESS_TYPE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export class ProcfileError extends Error {
  constructor(line: number, reason: string) {
    super(`Procfile line ${line}: ${reason}`);
    this.name = 'ProcfileError';
  }
}

/** `web: node server.js` lines -> { web: 'node server.js' }; comments and blank lines skipped. */
export function parseProcfile(text: string): Record<string, string> {
  const processes: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProcfileError(index + 1, 'expected "type: command"');
    const type = line.slice(0, colon).trim();
    const command = line.slice(colon + 1).trim();
    if (!PROCESS_TYPE.test(type)) throw new ProcfileError(index + 1, `"${type}" is not a process type (lower-case letters, digits, "-", "_")`);
    if (command === '') throw new ProcfileError(index + 1, `process type "${type}" has no command`);
    if (type in processes) throw new ProcfileError(index + 1, `process type "${type}" is defined twice`);
    processes[type] = command;
  }
  return processes;
}
