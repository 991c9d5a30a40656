import type { BreakerSnapshot } from '../core/BreakerSnapshot.js';
import type { TransitionEvent } from '../breaker/CircuitBreakerEvent.js';

/**
 * One breaker as a registry lists it: the breaker's own `snapshot()`, plus what the registry knows of it.
 * JSON-safe (times are the breaker scheduler's milliseconds).
 *
 * @public
 */
export interface RegistryEntry extends BreakerSnapshot {
  /** Tells apart live breakers that share a name (unique within the registry). */
  readonly id: number;
  /** Consecutive failures that open the circuit; null when only rate rules apply. */
  readonly failMax: number | null;
  /** The breaker's latest transition, if it made one since it joined. */
  readonly lastTransition?: LastTransition;
  /** Calls admitted since the breaker was created (the dashboard derives rates from these totals). */
  readonly calls: number;
  /** Counted failures since the breaker joined. */
  readonly failures: number;
  /** Calls refused since the breaker joined. */
  readonly rejections: number;
}

/**
 * When and how a breaker last changed state (a transition event without its `cause`, so it stays JSON-safe).
 *
 * @public
 */
export type LastTransition = Pick<TransitionEvent, 'time' | 'from' | 'to' | 'reason'>;
