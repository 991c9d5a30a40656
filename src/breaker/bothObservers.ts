import type { CircuitState } from '../core/CircuitState.js';
import type { BreakerObserver, CallInfo } from './BreakerObserver.js';
import type { CircuitBreakerEvent } from './CircuitBreakerEvent.js';

/**
 * One observer for a breaker from two optional ones (telemetry, registry membership). The breaker has a single
 * observer slot, so the common cases (none, or one) cost nothing extra.
 */
export function bothObservers(
  first: BreakerObserver | undefined,
  second: BreakerObserver | undefined,
): BreakerObserver | undefined {
  if (!first || !second) return first ?? second;
  return new ObserverPair(first, second);
}

/** A class, not an object literal: its methods live once on the prototype, not once per breaker. */
class ObserverPair implements BreakerObserver {
  readonly observesCalls: boolean;

  constructor(
    private readonly first: BreakerObserver,
    private readonly second: BreakerObserver,
  ) {
    this.observesCalls = first.observesCalls !== false || second.observesCalls !== false;
  }

  captureContext(): unknown {
    return this.first.captureContext?.() ?? this.second.captureContext?.();
  }

  onStart(state: CircuitState): void {
    this.first.onStart?.(state);
    this.second.onStart?.(state);
  }

  onEvent(event: CircuitBreakerEvent, call: CallInfo | undefined): void {
    this.first.onEvent(event, call);
    this.second.onEvent(event, call);
  }

  onDispose(): void {
    this.first.onDispose?.();
    this.second.onDispose?.();
  }
}
