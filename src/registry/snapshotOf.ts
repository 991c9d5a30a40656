import { breakerOf } from '../breaker/breakerOf.js';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { BreakerSnapshot } from './BreakerSnapshot.js';
import type { Membership } from './Membership.js';

/**
 * The one place a registry entry is built. When breakers gain their own `snapshot()`, this becomes
 * `{ ...breaker.snapshot(), id, ... }`.
 */
export function snapshotOf(breaker: CircuitBreaker, membership: Membership): BreakerSnapshot {
  const { id, failures, rejections, lastTransition } = membership;
  const internal = breakerOf(breaker);
  const retryAt = internal.retryAt;
  return {
    id,
    name: breaker.name,
    state: breaker.state,
    failCounter: breaker.failCounter,
    successCounter: breaker.successCounter,
    failMax: breaker.failMax,
    resetTimeout: breaker.resetTimeout,
    ...(retryAt !== undefined && { retryAt }),
    ...(lastTransition && { lastTransition }),
    calls: internal.callsAdmitted,
    failures,
    rejections,
  };
}
