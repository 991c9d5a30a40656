/**
 * `rxjs-circuit-breaker/admin`: a Node request handler that serves a breaker registry to operators (a live
 * dashboard page, JSON, server-sent events and guarded controls). Node only; no dependency beyond Node's `http`.
 *
 * @packageDocumentation
 */
export { adminHandler } from './adminHandler.js';
export type {
  AdminAction,
  AdminControl,
  AdminHandler,
  AdminHandlerOptions,
} from './AdminHandlerOptions.js';
// The registry types of the root entry point that the handler takes: re-exported as types only, so that the
// `/admin` API is complete on its own.
export type { BreakerRegistry, RegistryEvent } from '../registry/BreakerRegistry.js';
export type { LastTransition, RegistryEntry } from '../registry/RegistryEntry.js';
export type { CircuitBreaker } from '../breaker/circuitBreaker.js';
export type * from '../breaker/CircuitBreakerEvent.js';
export type { CircuitState, Transition, TransitionReason } from '../core/CircuitState.js';
