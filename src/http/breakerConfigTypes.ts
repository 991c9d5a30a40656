// The types the options of the HTTP interceptors refer to, re-exported as types only by `/angular` and `/nestjs`
// so that each API is complete on its own (they are the same declarations as the root's).
export type * from '../config/CircuitBreakerConfig.js';
export type * from '../core/CircuitState.js';
export type {
  BreakerSettings,
  BreakerState,
  ClosedState,
  HalfOpenState,
  OpenState,
} from '../core/BreakerState.js';
export type { Admission, Permit, Recorded, Step } from '../core/stateMachine.js';
export type * from '../core/StateStore.js';
export type * from '../telemetry/AttributesLike.js';
export type * from '../telemetry/MeterLike.js';
export type * from '../telemetry/TracerLike.js';
export type { HttpBreakerOptions } from './HttpBreakerOptions.js';
