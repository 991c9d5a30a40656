import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { TransitionEvent } from '../breaker/CircuitBreakerEvent.js';
import type { RegistryEntry } from './RegistryEntry.js';

/**
 * The key of a registry's internal hooks. `Symbol.for`, so that a breaker from the CommonJS build can join a
 * registry from the ESM build (and the other way round): the two meet only through these structural types.
 */
export const registryHooks = Symbol.for('rxjs-circuit-breaker.registryHooks');

/** What a registry keeps per breaker. */
export interface RegistryMember {
  /** Given by the registry on join. */
  id: number;
  readonly name: string;
  /** The breaker, while it lives. */
  readonly breaker: CircuitBreaker | undefined;
  snapshot(): RegistryEntry | undefined;
}

/** How breakers tell a registry they joined, left or moved. */
export interface RegistryHooks {
  join(member: RegistryMember): void;
  leave(member: RegistryMember): void;
  transitioned(member: RegistryMember, event: TransitionEvent): void;
}

/** A registry as a breaker sees it. */
export interface HookedRegistry {
  readonly [registryHooks]: RegistryHooks;
}

/** Whether `value` is a registry (from either build). */
export function isRegistry(value: unknown): value is HookedRegistry {
  return typeof value === 'object' && value !== null && registryHooks in value;
}
