import type { Observable } from 'rxjs';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { CircuitBreakerEvent, TransitionEvent } from '../breaker/CircuitBreakerEvent.js';
import type { RegistryEntry } from './RegistryEntry.js';

/**
 * An event of one of a registry's breakers, tagged with the breaker's name and registry id.
 *
 * @public
 */
export interface RegistryEvent<E extends CircuitBreakerEvent = CircuitBreakerEvent> {
  readonly name: string;
  readonly id: number;
  readonly event: E;
}

/**
 * The live breakers of a process (or of a part of it): what the admin handler and health routes read.
 *
 * @remarks
 * A breaker joins the default registry (`breakerRegistry()`) when it is created, unless its config passes
 * `registry: false` or another registry. It leaves when it is disposed (a group disposes the breakers it
 * evicts); a breaker garbage-collected without being disposed drops out too (the registry holds its breakers
 * weakly), though `snapshot$` does not announce it. Several live breakers may share a
 * name (they do when they share one circuit through Redis); each has its own `id`.
 *
 * @public
 */
export interface BreakerRegistry {
  /** How many breakers are registered. */
  readonly size: number;
  /** Every registered breaker now, JSON-safe. */
  snapshot(): RegistryEntry[];
  /**
   * The snapshot on subscribe, then again after joins, leaves and transitions, coalesced: a burst of changes
   * within the coalescing time (default 100 ms) gives one snapshot. Ordinary calls emit nothing.
   */
  readonly snapshot$: Observable<RegistryEntry[]>;
  /**
   * Every event of every registered breaker, tagged with its name and id. While subscribed, it subscribes to
   * each breaker's `events$` (which makes them build the events of ordinary calls).
   */
  readonly events$: Observable<RegistryEvent>;
  /** Every transition of every registered breaker; costs the breakers nothing per call. */
  readonly transition$: Observable<RegistryEvent<TransitionEvent>>;
  /** The live breakers named exactly `name` (several when they share one circuit). */
  breakers(name: string): CircuitBreaker[];
}
