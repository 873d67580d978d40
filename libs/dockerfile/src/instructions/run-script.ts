import { chompHeredocContent, parseHeredocHeader } from '../parser/heredoc';
import type { RunInstruction } from './types';

/** What a RUN executes, with its here-documents resolved the way BuildKit runs them. */
export type RunScript =
  /** Exec form: run `args` directly, no shell. */
  | { kind: 'exec'; args: string[] }
  /** Hand `script` to the stage's SHELL (e.g. `/bin/sh -c <script>`). */
  | { kind: 'shell'; script: string }
  /** `RUN <<EOF` whose body starts with `#!`: write `content` to an executable file and run it. */
  | { kind: 'executable'; name: string; content: string };

export function runScript(run: RunInstruction): RunScript {
  if (run.command.form === 'exec') return { kind: 'exec', args: run.command.args };
  const { command } = run.command;
  const [first] = run.heredocs;
  if (!first) return { kind: 'shell', script: command };
  if (parseHeredocHeaderSafely(command)) {
    // `RUN <<EOF` alone: the body is the script itself.
    const body = first.chomp ? chompHeredocContent(first.content) : first.content;
    return body.startsWith('#!') ? { kind: 'executable', name: first.name, content: body } : { kind: 'shell', script: body };
  }
  // `RUN python3 <<EOF` and the like: give the shell the here-documents to process itself.
  let script = command;
  for (const heredoc of run.heredocs) script += `\n${heredoc.content}${heredoc.name}`;
  return { kind: 'shell', script };
}

function parseHeredocHeaderSafely(command: string): boolean {
  try {
    return parseHeredocHeader(command) !== undefined;
  } catch {
    return false;
  }
}
