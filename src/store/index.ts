/**
 * `rxjs-circuit-breaker/store`: the API for writing a state store (the seam `memoryStore` and `redisStore`
 * implement): the store interface and its context, the states a store keeps, and the state machine's rules as
 * pure functions. Users of the breaker need none of it.
 *
 * @packageDocumentation
 */
export { memoryStore } from '../core/memoryStore.js';
export type { MemoryStoreOptions } from '../core/memoryStore.js';
export { initialState } from '../core/BreakerState.js';
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
export type { OutcomeCounts, OutcomeWindow, WindowFigures } from '../core/OutcomeWindow.js';
export type { InitialState, LegacyState } from '../core/restoreSnapshot.js';
export { circuitStates } from '../core/CircuitState.js';
export type { CircuitState, Transition, TransitionReason } from '../core/CircuitState.js';
export * as stateMachine from '../core/stateMachine.js';
export type { Admission, Permit, Recorded, Step } from '../core/stateMachine.js';
export type {
  MaybePromise,
  StateStore,
  StateStoreFactory,
  StoreContext,
} from '../core/StateStore.js';
