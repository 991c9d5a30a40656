import { breakerOf } from '../breaker/breakerOf.js';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { RegistryEntry } from './RegistryEntry.js';
import type { Membership } from './Membership.js';

/** The one place a registry entry is built: the breaker's snapshot, and what the membership counted. */
export function snapshotOf(breaker: CircuitBreaker, membership: Membership): RegistryEntry {
  const { id, failures, rejections, lastTransition } = membership;
  // Read from the Breaker itself: a class instance is much faster to read than the operator's accessors.
  const internal = breakerOf(breaker);
  const failMax = internal.failMax;
  const entry: { -readonly [K in keyof RegistryEntry]: RegistryEntry[K] } = {
    id,
    ...internal.snapshot(),
    // JSON has no Infinity: a breaker with rate rules only has no consecutive limit.
    failMax: Number.isFinite(failMax) ? failMax : null,
    calls: internal.callsAdmitted,
    failures,
    rejections,
  };
  // Only present when set: a snapshot compares equal to its JSON copy.
  if (lastTransition) entry.lastTransition = lastTransition;
  return entry;
}
