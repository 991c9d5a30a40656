/**
 * The circuit breaker pattern as an RxJS operator: pybreaker's semantics, the breaker's state as streams, an
 * optional Redis store shared by many processes (`rxjs-circuit-breaker/redis`), and OpenTelemetry spans. The API
 * for writing a store of your own is `rxjs-circuit-breaker/store`.
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
export {
  CircuitBreakerError,
  isCircuitBreakerError,
  isRefusal,
} from './breaker/CircuitBreakerError.js';
export type { CircuitBreakerErrorKind } from './breaker/CircuitBreakerError.js';
export { circuitBreakers } from './groups/circuitBreakers.js';
export type { CircuitBreakerGroup, CircuitBreakersOptions } from './groups/CircuitBreakerGroup.js';
export { breakerRegistry } from './registry/defaultRegistry.js';
export { createBreakerRegistry } from './registry/createBreakerRegistry.js';
export type { BreakerRegistryOptions } from './registry/createBreakerRegistry.js';
export type { BreakerRegistry, RegistryEvent } from './registry/BreakerRegistry.js';
export type { LastTransition, RegistryEntry } from './registry/RegistryEntry.js';
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
export { circuitStates } from './core/CircuitState.js';
export type { CircuitState, Transition, TransitionReason } from './core/CircuitState.js';
// The store-author API (StateStore, the states a store keeps, the state machine) is `rxjs-circuit-breaker/store`.
export type { Opening, ResetTimeout, WindowSettings } from './core/BreakerState.js';
export type { BreakerSnapshot } from './core/BreakerSnapshot.js';
export { exponentialBackoff } from './core/exponentialBackoff.js';
export type { ExponentialBackoffOptions } from './core/exponentialBackoff.js';
export { memoryStore } from './core/memoryStore.js';
export type { MemoryStoreOptions } from './core/memoryStore.js';
export type { WindowFigures } from './core/OutcomeWindow.js';
export type { InitialState, LegacyState } from './core/restoreSnapshot.js';
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
