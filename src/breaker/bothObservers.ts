import type { BreakerObserver } from './BreakerObserver.js';

/**
 * One observer for a breaker from two optional ones (telemetry, registry membership). The breaker has a single
 * observer slot, so the common cases (none, or one) cost nothing extra.
 */
export function bothObservers(
  first: BreakerObserver | undefined,
  second: BreakerObserver | undefined,
): BreakerObserver | undefined {
  if (!first || !second) return first ?? second;
  return {
    observesCalls: first.observesCalls !== false || second.observesCalls !== false,
    captureContext: first.captureContext?.bind(first) ?? second.captureContext?.bind(second),
    onStart(state) {
      first.onStart?.(state);
      second.onStart?.(state);
    },
    onEvent(event, call) {
      first.onEvent(event, call);
      second.onEvent(event, call);
    },
    onDispose() {
      first.onDispose?.();
      second.onDispose?.();
    },
  };
}
