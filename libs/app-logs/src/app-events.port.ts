/**
 * Berth's own events about an app (build started, release deployed, instance healthy, instance
 * crashed with its exit code, OOM-killed). They join the app's runtime log stream marked as
 * Berth's (stream "berth"), so a user reads what happened next to what their app printed.
 */
export interface AppEvent {
  app: string;
  message: string;
  level?: 'info' | 'warn' | 'error';
  release?: { id: string; version: number };
  process?: string;
  instance?: string;
}

export interface AppEventSink {
  /** Never throws: a lost event must not fail the deploy or build that reported it. */
  emit(event: AppEvent): Promise<void>;
}

export const APP_EVENTS = Symbol('APP_EVENTS');
