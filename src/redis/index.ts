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
// The store seam of the root entry point, which `redisStore` implements: re-exported as types only, so that
// the `/redis` API is complete on its own (they are the same declarations as the root's).
export type { CircuitState, Transition, TransitionReason } from '../core/CircuitState.js';
export type {
  BreakerSettings,
  BreakerState,
  ClosedState,
  DisabledState,
  HalfOpenState,
  IsolatedState,
  OpenState,
  Opening,
  ResetTimeout,
  WindowSettings,
} from '../core/BreakerState.js';
export type { BreakerSnapshot } from '../core/BreakerSnapshot.js';
export type { WindowFigures } from '../core/OutcomeWindow.js';
export type { Admission, Permit, Recorded, Step } from '../core/stateMachine.js';
export type {
  MaybePromise,
  StateStore,
  StateStoreFactory,
  StoreContext,
} from '../core/StateStore.js';
