import type { BreakerSettings } from './BreakerState.js';
import { CountWindow } from './CountWindow.js';
import { TimeWindow } from './TimeWindow.js';

/**
 * The outcomes the rate rules judge: the last N calls, or the last milliseconds of scheduler time. A window is a
 * fixed ring updated in place: recording an outcome is O(1) and allocates nothing. A store keeps one (see
 * `createWindow`) and passes it to the state machine's record functions.
 *
 * @public
 */
export interface OutcomeWindow {
  /** Outcomes in the window, as of the last `record` or `advance`. */
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  /** Adds one counted outcome at `now`. */
  record(now: number, failed: boolean, slow: boolean): void;
  /** Drops the outcomes that have left the window by `now`. */
  advance(now: number): void;
  /** Forgets every outcome (on every transition). */
  reset(): void;
  /**
   * Starts over from restored figures, as outcomes recorded at `now` (their order and times are not kept); a
   * count window keeps at most its size.
   */
  refill(now: number, figures: OutcomeCounts): void;
}

/** How many outcomes, failures and slow calls a window holds. @public */
export type OutcomeCounts = Pick<WindowFigures, 'calls' | 'failures' | 'slowCalls'>;

/**
 * The window figures, as `snapshot()` shows them; a rate is 0 while the window is empty.
 *
 * @public
 */
export interface WindowFigures {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly failureRate: number;
  readonly slowCallRate: number;
}

/**
 * The largest count window, in calls: a window is a ring of one byte per call in memory and one character per call
 * in Redis.
 */
export const maxWindowCalls = 1_000_000;
/** The most buckets a time window has: one slot per bucket in memory, one hash field per bucket in Redis. */
export const maxWindowBuckets = 1000;

/** Default window when a rate rule is set and no `window` is given. */
export const defaultWindow = { calls: 100 } as const;
/** Default `buckets` of a time window. */
export const defaultBuckets = 10;
/** Default `minimumCalls` of a time window (a count window's default is its size). */
export const defaultTimeWindowMinimumCalls = 10;

/** Whether a rate rule is configured (and so a window is kept). */
export function hasRateRule(settings: BreakerSettings): boolean {
  return settings.failureRate !== undefined || settings.slowCallRate !== undefined;
}

/** The window the settings ask for, or `undefined` when no rate rule is set. */
export function createWindow(settings: BreakerSettings): OutcomeWindow | undefined {
  if (!hasRateRule(settings)) return undefined;
  const window = settings.window ?? defaultWindow;
  if ('calls' in window) return new CountWindow(window.calls);
  return new TimeWindow(window.duration, window.buckets ?? defaultBuckets);
}

/** Calls the window must hold before a rate is judged. */
export function minimumCallsOf(settings: BreakerSettings): number {
  if (settings.minimumCalls !== undefined) return settings.minimumCalls;
  const window = settings.window ?? defaultWindow;
  return 'calls' in window ? window.calls : defaultTimeWindowMinimumCalls;
}

/** The figures of `window` at `now`. */
export function windowFigures(window: OutcomeWindow, now: number): WindowFigures {
  window.advance(now);
  return figuresOf(window);
}

/** The figures of these counts: the rates are 0 while there are no calls. */
export function figuresOf({ calls, failures, slowCalls }: OutcomeCounts): WindowFigures {
  return {
    calls,
    failures,
    slowCalls,
    failureRate: calls === 0 ? 0 : failures / calls,
    slowCallRate: calls === 0 ? 0 : slowCalls / calls,
  };
}
