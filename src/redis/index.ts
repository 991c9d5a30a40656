/**
 * `rxjs-circuit-breaker/redis`: a state store that shares circuit breakers between processes through Redis
 * (ioredis 5 or 6, standalone or Cluster).
 *
 * @packageDocumentation
 */
export { redisStore } from './redisStore.js';
export type { RedisStoreOptions } from './RedisStoreOptions.js';
export type { RedisClientLike, RedisSubscriberLike } from './RedisClientLike.js';
export { RedisStoreError } from './RedisStoreError.js';
export type { RedisStoreErrorKind } from './RedisStoreError.js';
// The state names `fallbackState` takes, as the root entry point exports them. The store-author types
// `redisStore` implements are `rxjs-circuit-breaker/store`'s.
export { circuitStates } from '../core/CircuitState.js';
export type { CircuitState, Transition, TransitionReason } from '../core/CircuitState.js';
