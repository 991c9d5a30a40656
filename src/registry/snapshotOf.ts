import { breakerOf } from '../breaker/breakerOf.js';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { RegistryEntry } from './RegistryEntry.js';
import type { Membership } from './Membership.js';

/**
 * The one place a registry entry is built. When breakers gain their own `snapshot()`, this becomes
 * `{ ...breaker.snapshot(), id, ... }`.
 */
export function snapshotOf(breaker: CircuitBreaker, membership: Membership): RegistryEntry {
  const { id, failures, rejections, lastTransition } = membership;
  // Read from the Breaker itself: a class instance is much faster to read than the operator's accessors.
  const internal = breakerOf(breaker);
  const entry: { -readonly [K in keyof RegistryEntry]: RegistryEntry[K] } = {
    id,
    name: internal.name,
    state: internal.state,
    failCounter: internal.failCounter,
    successCounter: internal.successCounter,
    failMax: internal.failMax,
    resetTimeout: internal.resetTimeout,
    calls: internal.callsAdmitted,
    failures,
    rejections,
  };
  // Only present when set: JSON drops undefined anyway, and a snapshot compares equal to its JSON copy.
  const retryAt = internal.retryAt;
  if (retryAt !== undefined) entry.retryAt = retryAt;
  if (lastTransition) entry.lastTransition = lastTransition;
  return entry;
}
