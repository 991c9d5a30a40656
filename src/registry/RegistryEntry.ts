import type { CircuitState } from '../core/CircuitState.js';
import type { TransitionEvent } from '../breaker/CircuitBreakerEvent.js';

/**
 * One breaker as a registry lists it: JSON-safe (times are the breaker scheduler's milliseconds).
 *
 * @public
 */
export interface RegistryEntry {
  /** Tells apart live breakers that share a name (unique within the registry). */
  readonly id: number;
  /** The breaker's name. */
  readonly name: string;
  /** What the breaker's `state` getter reads now. */
  readonly state: CircuitState;
  /** Consecutive counted failures. */
  readonly failCounter: number;
  /** Consecutive trial successes in half-open. */
  readonly successCounter: number;
  /** Consecutive failures that open the circuit. */
  readonly failMax: number;
  /** Milliseconds the circuit stays open. */
  readonly resetTimeout: number;
  /** When an open circuit admits trial calls; present only while the store holds it open. */
  readonly retryAt?: number;
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
