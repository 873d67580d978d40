import { Logger } from '@nestjs/common';

/**
 * Logs an error for a subject only when it differs from the last one logged for it, so a
 * Docker Engine that is down for an hour is one line per subject, not one per round.
 */
export class RepeatedErrors {
  private readonly last = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  report(subject: string, message: string): void {
    if (this.last.get(subject) === message) return;
    this.last.set(subject, message);
    this.logger.error(message);
  }

  /** The subject works again: its next error is news. */
  clear(subject: string): void {
    this.last.delete(subject);
  }
}
