import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface PushSession {
  app: string;
  userId: string;
  secret: string;
  createdAt: number;
}

const SESSION_TTL_MS = 60 * 60 * 1000;

/**
 * Pushes in flight, by id. receive-pack runs as a child of this api process and its hook calls
 * back into this same process, so the sessions live in memory; each secret works once.
 */
export class PushSessions {
  private readonly sessions = new Map<string, PushSession>();

  open(app: string, userId: string): { id: string; secret: string } {
    this.expireOld();
    const id = randomBytes(12).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    this.sessions.set(id, { app, userId, secret, createdAt: Date.now() });
    return { id, secret };
  }

  /** The session for a hook callback, once; null for an unknown id or a wrong secret. */
  take(id: string, secret: string | undefined): PushSession | null {
    const session = this.sessions.get(id);
    if (!session || !secret) return null;
    const expected = Buffer.from(session.secret);
    const given = Buffer.from(secret);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    this.sessions.delete(id);
    return session;
  }

  private expireOld(): void {
    const cutoff = Date.now() - SESSION_TTL_MS;
    for (const [id, session] of this.sessions) if (session.createdAt < cutoff) this.sessions.delete(id);
  }
}
