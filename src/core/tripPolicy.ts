import type { BreakerSettings } from './BreakerState.js';
import type { TransitionReason } from './CircuitState.js';
import { minimumCallsOf } from './OutcomeWindow.js';
import type { OutcomeCounts } from './OutcomeWindow.js';

/*
 * When a closed circuit trips. The state machine asks after every counted outcome and knows nothing else about
 * the rules: pybreaker's consecutive failures, and the failure and slow-call rates of the window.
 */

/** The reasons a closed circuit trips, in the order they are judged (the first that fires names the trip). */
export type TripReason = Extract<
  TransitionReason,
  'failure_threshold' | 'failure_rate' | 'slow_call_rate'
>;

/** `slowCallDuration` when `slowCallRate` is set without it. */
export const defaultSlowCallDuration = 60_000;

/** pybreaker's default `failMax`. */
export const defaultFailMax = 5;

/**
 * The `failMax` the rules apply: the one given, or pybreaker's default when no rate rule is set; with a rate rule
 * and no `failMax`, `Infinity` (the consecutive rule is off).
 */
export function resolveFailMax(
  failMax: number | undefined,
  rates: Pick<BreakerSettings, 'failureRate' | 'slowCallRate'>,
): number {
  if (failMax !== undefined) return failMax;
  const rateRule = rates.failureRate !== undefined || rates.slowCallRate !== undefined;
  return rateRule ? Infinity : defaultFailMax;
}

/** Whether a call that took `duration` ms is slow: only when slow calls are tracked, and strictly above the limit. */
export function isSlow(duration: number, settings: BreakerSettings): boolean {
  if (settings.slowCallRate === undefined) return false;
  return duration > (settings.slowCallDuration ?? defaultSlowCallDuration);
}

/** The rule that trips a closed circuit with this failure counter and window figures, if any. */
export function tripReason(
  failCounter: number,
  settings: BreakerSettings,
  window: OutcomeCounts | undefined,
): TripReason | undefined {
  if (failCounter >= settings.failMax) return 'failure_threshold';
  if (!window || window.calls < minimumCallsOf(settings)) return undefined;
  const { failureRate, slowCallRate } = settings;
  if (failureRate !== undefined && window.failures / window.calls >= failureRate) {
    return 'failure_rate';
  }
  if (slowCallRate !== undefined && window.slowCalls / window.calls >= slowCallRate) {
    return 'slow_call_rate';
  }
  return undefined;
}
