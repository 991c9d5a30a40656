/**
 * The circuit breaker pattern as an RxJS operator: pybreaker's semantics, the breaker's state as streams, an
 * optional Redis store shared by many processes (`rxjs-circuit-breaker/redis`), and OpenTelemetry spans.
 *
 * @packageDocumentation
 */
export { circuitBreaker } from './breaker/circuitBreaker.js';
export type { CircuitBreaker } from './breaker/circuitBreaker.js';
export type {
  CircuitBreakerConfig,
  ErrorClass,
  ExcludeRule,
} from './config/CircuitBreakerConfig.js';
export { CircuitBreakerError, isCircuitBreakerError } from './breaker/CircuitBreakerError.js';
export type {
  CallEvent,
  CancelledEvent,
  CircuitBreakerEvent,
  FailureEvent,
  IgnoredEvent,
  RejectedEvent,
  StoreErrorEvent,
  SuccessEvent,
  TransitionEvent,
} from './breaker/CircuitBreakerEvent.js';
export type { CircuitState, Transition, TransitionReason } from './core/CircuitState.js';
export { initialState } from './core/BreakerState.js';
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
} from './core/BreakerState.js';
export type { BreakerSnapshot } from './core/BreakerSnapshot.js';
export { exponentialBackoff } from './core/exponentialBackoff.js';
export type { ExponentialBackoffOptions } from './core/exponentialBackoff.js';
export { memoryStore } from './core/memoryStore.js';
export type { MemoryStoreOptions } from './core/memoryStore.js';
export type { OutcomeCounts, OutcomeWindow, WindowFigures } from './core/OutcomeWindow.js';
export type { InitialState, LegacyState } from './core/restoreSnapshot.js';
export * as stateMachine from './core/stateMachine.js';
export type { Admission, Permit, Recorded, Step } from './core/stateMachine.js';
export type {
  MaybePromise,
  StateStore,
  StateStoreFactory,
  StoreContext,
} from './core/StateStore.js';
export type { AttributesLike } from './telemetry/AttributesLike.js';
export type {
  CounterLike,
  HistogramLike,
  InstrumentOptionsLike,
  MeterLike,
  ObservableGaugeLike,
  ObservableResultLike,
} from './telemetry/MeterLike.js';
export type {
  SpanContextLike,
  SpanLike,
  SpanLinkLike,
  SpanOptionsLike,
  TracerLike,
} from './telemetry/TracerLike.js';
