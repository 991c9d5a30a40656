import { asyncScheduler } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import type { CircuitBreakerConfig, ExcludeRule } from './CircuitBreakerConfig.js';
import { memoryStore } from '../core/memoryStore.js';
import type { StateStore, StateStoreFactory } from '../core/StateStore.js';
import { defaultMeter, defaultTracer } from '../telemetry/defaultTelemetry.js';
import type { MeterLike } from '../telemetry/MeterLike.js';
import type { TracerLike } from '../telemetry/TracerLike.js';
import { describeValue } from '../core/invalidInput.js';
import { checkOptions, failOption, hasMethods } from './checkOptions.js';
import type { Check } from './checkOptions.js';
import { breakerRegistry } from '../registry/defaultRegistry.js';
import { isRegistry } from '../registry/registryHooks.js';
import type { HookedRegistry } from '../registry/registryHooks.js';

/** A config with every default filled in. */
export interface ResolvedConfig {
  readonly name: string;
  /** Whether `name` came from the user (a shared store needs one). */
  readonly explicitName: boolean;
  readonly failMax: number;
  readonly resetTimeout: number;
  readonly successThreshold: number;
  readonly halfOpenMaxCalls: number;
  readonly exclude: readonly ExcludeRule[];
  readonly throwNewErrorOnTrip: boolean;
  readonly scheduler: SchedulerLike;
  readonly store: StateStoreFactory;
  /** `false`: tracing off. */
  readonly tracer: TracerLike | false;
  /** `false`: metrics off. */
  readonly meter: MeterLike | false;
  /** operations: `false`: in no registry. */
  readonly registry: HookedRegistry | false;
}

const owner = 'circuitBreaker';

/** What a breaker calls on its meter (a structural check: any OpenTelemetry API version fits). */
const meterMethods = ['createCounter', 'createHistogram', 'createObservableGauge'];

const checks: Record<keyof CircuitBreakerConfig, Check> = {
  name: (option, value) => {
    if (typeof value !== 'string' || value === '') {
      failOption(owner, option, 'a non-empty string', value);
    }
  },
  failMax: checkCount,
  resetTimeout: checkDuration,
  successThreshold: checkCount,
  halfOpenMaxCalls: checkCount,
  exclude: (option, value) => {
    if (!Array.isArray(value)) {
      failOption(owner, option, 'an array of error classes or predicates', value);
    }
    value.forEach((rule, index) => {
      if (typeof rule !== 'function') {
        failOption(owner, `${option}[${index}]`, 'an error class or a predicate function', rule);
      }
    });
  },
  throwNewErrorOnTrip: (option, value) => {
    if (typeof value !== 'boolean') failOption(owner, option, 'a boolean', value);
  },
  scheduler: (option, value) => {
    const scheduler = value as Partial<SchedulerLike> | null;
    if (typeof scheduler?.now !== 'function' || typeof scheduler.schedule !== 'function') {
      failOption(owner, option, 'an RxJS SchedulerLike', value);
    }
  },
  store: (option, value) => {
    if (typeof value !== 'function') {
      failOption(owner, option, 'a store factory such as memoryStore()', value);
    }
  },
  tracer: (option, value) => {
    if (value !== false && !hasMethods(value, ['startSpan'])) {
      const expected = 'an OpenTelemetry Tracer (with startSpan), or false to turn tracing off';
      failOption(owner, option, expected, value);
    }
  },
  meter: (option, value) => {
    if (value !== false && !hasMethods(value, meterMethods)) {
      const methods = meterMethods.join(', ');
      const expected = `an OpenTelemetry Meter (with ${methods}), or false to turn metrics off`;
      failOption(owner, option, expected, value);
    }
  },
  // operations
  registry: (option, value) => {
    if (value !== false && !isRegistry(value)) {
      failOption(owner, option, 'a registry from createBreakerRegistry(), or false', value);
    }
  },
};

/** Checks every option (an unknown key is an error) and fills in the defaults. */
export function validateConfig(config: CircuitBreakerConfig): ResolvedConfig {
  checkOptions(owner, 'config', config, checks);
  return {
    name: config.name ?? 'circuit-breaker',
    explicitName: config.name !== undefined,
    failMax: config.failMax ?? 5,
    resetTimeout: config.resetTimeout ?? 60_000,
    successThreshold: config.successThreshold ?? 1,
    halfOpenMaxCalls: config.halfOpenMaxCalls ?? 1,
    exclude: [...(config.exclude ?? [])],
    throwNewErrorOnTrip: config.throwNewErrorOnTrip ?? true,
    scheduler: config.scheduler ?? asyncScheduler,
    store: config.store ?? memoryStore(),
    tracer: config.tracer ?? defaultTracer(),
    meter: config.meter ?? defaultMeter(),
    registry: (config.registry ?? breakerRegistry()) as HookedRegistry | false,
  };
}

/** The settings a breaker lets you change while it runs. */
export type Setting = 'failMax' | 'resetTimeout' | 'successThreshold' | 'halfOpenMaxCalls';

/** Checks one setting, as the breaker's setters do. */
export function validateSetting(option: Setting, value: unknown) {
  checks[option](option, value);
}

function checkCount(option: string, value: unknown) {
  if (typeof value !== 'number') failOption(owner, option, 'an integer ≥ 1', value);
  if (!Number.isInteger(value) || value < 1)
    failOption(owner, option, 'an integer ≥ 1', value, RangeError);
}

function checkDuration(option: string, value: unknown) {
  if (typeof value !== 'number') {
    failOption(owner, option, 'a finite number of milliseconds ≥ 0', value);
  }
  if (!Number.isFinite(value) || value < 0) {
    failOption(owner, option, 'a finite number of milliseconds ≥ 0', value, RangeError);
  }
}

const storeMethods = [
  'settle',
  'acquire',
  'release',
  'recordSuccess',
  'recordFailure',
  'force',
  'dispose',
];

/** Checks what the `store` factory built: a factory passed uncalled (`memoryStore`) fails here, clearly. */
export function validateStore(store: unknown): StateStore {
  if (!hasMethods(store, storeMethods)) {
    const expected = 'a store factory such as memoryStore(), returning a StateStore';
    throw new TypeError(
      `${owner}: "store" must be ${expected}; it returned ${describeValue(store)}`,
    );
  }
  return store as StateStore;
}
