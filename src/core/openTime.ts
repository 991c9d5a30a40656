import { longestDuration } from './longestDuration.js';
import type { BreakerSettings } from './BreakerState.js';

/** The open time used when a `resetTimeout` function throws or answers something other than a finite number ≥ 0. */
export const fallbackResetTimeout = 60_000;

/**
 * How long an opening lasts: the number, or what the `resetTimeout` function answers for this opening. A user's
 * function must not break a state transition, so a bad answer falls back to {@link fallbackResetTimeout}, and an
 * answer above {@link longestDuration} (100 years) is cut to it.
 */
export function openTime(settings: BreakerSettings, attempt: number, error: unknown): number {
  const { resetTimeout } = settings;
  if (typeof resetTimeout === 'number') return resetTimeout;
  try {
    const openFor = resetTimeout({ attempt, error });
    if (!(Number.isFinite(openFor) && openFor >= 0)) return fallbackResetTimeout;
    return Math.min(openFor, longestDuration);
  } catch {
    return fallbackResetTimeout;
  }
}
