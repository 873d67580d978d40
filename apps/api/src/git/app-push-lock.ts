/** Pushes to one app take turns: a small FIFO mutex per app name. */
export class AppPushLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the app's earlier pushes; `waiting` is called when there is a wait. Answers the release function. */
  async acquire(app: string, waiting: () => void): Promise<() => void> {
    const previous = this.tails.get(app);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = (previous ?? Promise.resolve()).then(() => mine);
    this.tails.set(app, tail);
    if (previous) {
      waiting();
      await previous;
    }
    return () => {
      release();
      if (this.tails.get(app) === tail) this.tails.delete(app);
    };
  }
}
