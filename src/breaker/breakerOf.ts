import type { Breaker } from './Breaker.js';
import type { CircuitBreaker } from './circuitBreaker.js';

/** Where a public breaker keeps its internal `Breaker` (a non-enumerable own property). */
export const internal = Symbol('breaker');

/**
 * The `Breaker` behind a public breaker: its shared prototype delegates to it, and the operations code (groups,
 * registry) reads what the public surface does not show (calls in flight, disposal).
 */
export function breakerOf(operator: CircuitBreaker | object): Breaker {
  const breaker = (operator as Partial<Record<typeof internal, Breaker>>)[internal];
  if (!breaker) throw new TypeError('not a breaker made by circuitBreaker()');
  return breaker;
}
