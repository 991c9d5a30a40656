import type { Breaker } from './Breaker.js';
import type { CircuitBreaker } from './circuitBreaker.js';

/**
 * The `Breaker` behind each operator, for the operations code (groups, registry) that needs what the public
 * surface does not show: calls in flight, `retryAt`, disposal. Weak, so it keeps no breaker alive.
 */
const breakers = new WeakMap<CircuitBreaker, Breaker>();

/** Records the `Breaker` behind `operator` (called once, by `circuitBreaker`). */
export function setBreakerOf(operator: CircuitBreaker, breaker: Breaker): void {
  breakers.set(operator, breaker);
}

/** The `Breaker` behind `operator` (every operator `circuitBreaker` built has one). */
export function breakerOf(operator: CircuitBreaker): Breaker {
  const breaker = breakers.get(operator);
  if (!breaker) throw new TypeError('not a breaker made by circuitBreaker()');
  return breaker;
}
