import type { Transition } from '../../src/index.js';
import type { Outcome } from './palette.js';

/** What the fleet demo tells each worker process when it starts it (as JSON, in argv[2]). */
export interface WorkerConfig {
  /** w1, w2... */
  readonly label: string;
  readonly redisUrl: string;
  readonly serviceUrl: string;
  /** Calls per second. */
  readonly rate: number;
  /** Milliseconds between the start of each second and this worker's first call in it. */
  readonly phaseMs: number;
  readonly duration: number;
  readonly failMax: number;
  readonly resetTimeout: number;
}

/** Worker → demo, over the IPC channel. Times are epoch milliseconds (comparable across processes). */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'call';
      readonly second: number;
      readonly slot: number;
      readonly outcome: Outcome;
      /** When the call was made. */
      readonly startedAt: number;
      /** When the outcome was known. */
      readonly at: number;
    }
  | ({
      readonly kind: 'transition';
      readonly at: number;
      /** The second of the call whose outcome caused it, if a call did. */
      readonly second?: number;
    } & Transition)
  | { readonly kind: 'store-error'; readonly message: string }
  | { readonly kind: 'done' };

/** Demo → worker: begin calling at `startAt` (epoch milliseconds). */
export interface StartMessage {
  readonly kind: 'start';
  readonly startAt: number;
}

/** Epoch milliseconds with sub-millisecond precision: the same clock in every process on this machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
