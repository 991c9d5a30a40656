/**
 * The store's full reads of the shared state: at most one at a time, deferred to the next 'ready' while the client
 * is not connected, and the first one awaited by the first calls.
 *
 * @remarks
 * Until the first read is done (or given up), calls wait for it, so that a breaker created after a trip refuses
 * its first call instead of running it on a closed mirror.
 */
export class Resync {
  /** True once the first read is done or given up: calls no longer wait for it. */
  firstDone = false;
  private readonly first: Promise<void>;
  private finishFirst: () => void = () => undefined;
  private running?: Promise<void>;
  /** A read was asked for while the client was not connected: the next 'ready' runs it. */
  private pending = false;
  private stopped = false;

  constructor(
    /** Reads the shared state into the mirror (never rejects). */
    private readonly read: () => Promise<void>,
    private readonly isReady: () => boolean,
  ) {
    this.first = new Promise((resolve) => (this.finishFirst = resolve));
  }

  /** Resolves once the first read is done or given up. */
  firstRead(): Promise<void> {
    return this.first;
  }

  /** True while a read is in flight. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs a read now, or joins the one in flight; if the client is not connected, leaves it to `connected()`. */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.readWhenReady().finally(() => (this.running = undefined));
    return this.running;
  }

  /** The client is (again) connected: runs the read that was deferred, or resynchronises after a reconnect. */
  connected(): void {
    if (this.firstDone || this.pending) void this.run();
  }

  /** Lets the calls waiting for the first read go on without it. */
  endFirst(): void {
    this.firstDone = true;
    this.finishFirst();
  }

  /** No more reads; calls waiting for the first one go on. */
  stop(): void {
    this.stopped = true;
    this.endFirst();
  }

  private async readWhenReady(): Promise<void> {
    if (!this.isReady()) {
      this.pending = true;
      return;
    }
    this.pending = false;
    await this.read();
    this.endFirst();
  }
}
