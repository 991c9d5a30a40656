import type { BreakerSettings } from '../core/BreakerState.js';
import { outcomeCode } from '../core/CountWindow.js';
import type { OutcomeCounts } from '../core/OutcomeWindow.js';
import { defaultBuckets, defaultWindow, minimumCallsOf } from '../core/OutcomeWindow.js';
import { tripReason } from '../core/tripPolicy.js';
import { longestTimerDelay } from '../config/checkOptions.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The character code of outcome 0 ('0'): the scripts read outcomes as the characters '0' to '3'. */
const zero = 48;

/**
 * The outcomes one process recorded in the closed (or disabled) state since its last flush to the shared window:
 * counted here with no round trip, then merged into Redis by one script (see scripts.ts, `flush`).
 *
 * @remarks
 * A count window's batch keeps the order of its last `size` outcomes (the older ones would leave the shared
 * window within the same flush anyway); a time window's batch is three counts, placed in the bucket of Redis's
 * clock when it lands.
 */
export class OutcomeBatch implements OutcomeCounts {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  /** The generation the outcomes were counted in: a batch of an older one is dropped, as the window is emptied. */
  generation = -1;
  /** Failures since the last success of the batch, and whether it holds a success (the consecutive counter). */
  private trailingFailures = 0;
  private sawSuccess = false;
  /** A count window's last outcomes, a ring from `next`. */
  private readonly codes: Uint8Array | undefined;
  private next = 0;
  private readonly estimate = { calls: 0, failures: 0, slowCalls: 0 };

  constructor(private readonly settings: BreakerSettings) {
    const window = settings.window ?? defaultWindow;
    if ('calls' in window) this.codes = new Uint8Array(window.calls);
  }

  get empty(): boolean {
    return this.calls === 0;
  }

  add(generation: number, failed: boolean, slow: boolean): void {
    if (generation !== this.generation) {
      this.clear();
      this.generation = generation;
    }
    this.calls++;
    if (failed) this.failures++;
    if (slow) this.slowCalls++;
    this.trailingFailures = failed ? this.trailingFailures + 1 : 0;
    this.sawSuccess ||= !failed;
    const codes = this.codes;
    if (!codes) return;
    codes[this.next] = outcomeCode(failed, slow);
    this.next = this.next + 1 === codes.length ? 0 : this.next + 1;
  }

  /**
   * Whether merging this batch into the shared window as last read (`shared`) could trip a rate rule: then it is
   * flushed at once instead of at the end of the flush interval. Evicted outcomes are taken for successes, so
   * the estimate errs towards flushing.
   */
  couldTrip(shared: OutcomeCounts): boolean {
    // Judged on a scratch object: this runs on every call.
    return tripReason(0, this.settings, this.merge(shared, this.estimate)) !== undefined;
  }

  /** The shared window's figures with this batch added: an estimate, as `couldTrip` makes it. */
  mergedWith(shared: OutcomeCounts): OutcomeCounts {
    return this.merge(shared, { calls: 0, failures: 0, slowCalls: 0 });
  }

  private merge(shared: OutcomeCounts, into: Mutable<OutcomeCounts>): OutcomeCounts {
    const calls = Math.min(this.codes?.length ?? Infinity, shared.calls + this.calls);
    into.calls = calls;
    into.failures = Math.min(calls, shared.failures + this.failures);
    into.slowCalls = Math.min(calls, shared.slowCalls + this.slowCalls);
    return into;
  }

  /**
   * The batch as the scripts that merge it take it (`flush`, `failure`): how it moves the shared failure counter
   * (`trailing`, `sawSuccess`: its last failures end the counter after one of its successes, else add to it), then
   * the window arguments: the window's shape and rules, then the batch (scripts.ts, `windowArgs`). Empties it.
   */
  take(): (string | number)[] {
    const { settings } = this;
    const window = settings.window ?? defaultWindow;
    const shape =
      'calls' in window
        ? ['calls', window.calls, '']
        : ['time', window.duration, window.buckets ?? defaultBuckets];
    const args = [
      this.trailingFailures,
      this.sawSuccess ? 1 : 0,
      ...shape,
      minimumCallsOf(settings),
      settings.failureRate ?? '',
      settings.slowCallRate ?? '',
      this.calls,
      this.failures,
      this.slowCalls,
      this.outcomes(),
    ];
    this.clear();
    return args;
  }

  /** The batch's outcomes, oldest first, as the characters '0' to '3' (count windows only). */
  private outcomes(): string {
    const codes = this.codes;
    if (!codes) return '';
    const kept = Math.min(this.calls, codes.length);
    let text = '';
    for (let back = kept; back > 0; back--) {
      text += String.fromCharCode(
        zero + (codes[(this.next - back + codes.length) % codes.length] ?? 0),
      );
    }
    return text;
  }

  clear(): void {
    this.calls = this.failures = this.slowCalls = this.trailingFailures = this.next = 0;
    this.sawSuccess = false;
  }
}

/**
 * The batch arguments of a failure the `failure` script counts on its own (no rate rule, or a trial call): one
 * failure, no success before it, no window.
 */
export const aloneFailure: readonly (string | number)[] = [1, 0, ''];

/** How often a process flushes its batch by default: every bucket of a time window, every second otherwise. */
export function defaultFlushInterval(settings: BreakerSettings): number {
  const window = settings.window ?? defaultWindow;
  if ('calls' in window) return defaultCountWindowFlushInterval;
  // A timer waits at most about 24.8 days; a bucket longer than that is flushed at least that often.
  return Math.min(window.duration / (window.buckets ?? defaultBuckets), longestTimerDelay);
}

/** The default flush interval of a count window (ms). */
export const defaultCountWindowFlushInterval = 1000;
