import { asyncScheduler } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import type { CircuitBreakerConfig, ExcludeRule } from './CircuitBreakerConfig.js';
import { describeValue } from '../core/invalidInput.js';
import { memoryStore } from '../core/memoryStore.js';
import type { StateStore, StateStoreFactory } from '../core/StateStore.js';
import { defaultMeter, defaultTracer } from '../telemetry/defaultTelemetry.js';
import type { MeterLike } from '../telemetry/MeterLike.js';
import type { TracerLike } from '../telemetry/TracerLike.js';

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
}

type Check = (option: string, value: unknown) => void;

/** What a breaker calls on its meter (a structural check: any OpenTelemetry API version fits). */
const meterMethods = ['createCounter', 'createHistogram', 'createObservableGauge'];

const checks: Record<keyof CircuitBreakerConfig, Check> = {
  name: (option, value) => {
    if (typeof value !== 'string' || value === '') {
      fail(TypeError, option, 'a non-empty string', value);
    }
  },
  failMax: checkCount,
  resetTimeout: checkDuration,
  successThreshold: checkCount,
  halfOpenMaxCalls: checkCount,
  exclude: (option, value) => {
    if (!Array.isArray(value)) {
      fail(TypeError, option, 'an array of error classes or predicates', value);
    }
    value.forEach((rule, index) => {
      if (typeof rule !== 'function') {
        fail(TypeError, `${option}[${index}]`, 'an error class or a predicate function', rule);
      }
    });
  },
  throwNewErrorOnTrip: (option, value) => {
    if (typeof value !== 'boolean') fail(TypeError, option, 'a boolean', value);
  },
  scheduler: (option, value) => {
    const scheduler = value as Partial<SchedulerLike> | null;
    if (typeof scheduler?.now !== 'function' || typeof scheduler.schedule !== 'function') {
      fail(TypeError, option, 'an RxJS SchedulerLike', value);
    }
  },
  store: (option, value) => {
    if (typeof value !== 'function') {
      fail(TypeError, option, 'a store factory such as memoryStore()', value);
    }
  },
  tracer: (option, value) => {
    if (value !== false && !hasMethods(value, ['startSpan'])) {
      const expected = 'an OpenTelemetry Tracer (with startSpan), or false to turn tracing off';
      fail(TypeError, option, expected, value);
    }
  },
  meter: (option, value) => {
    if (value !== false && !hasMethods(value, meterMethods)) {
      const methods = meterMethods.join(', ');
      const expected = `an OpenTelemetry Meter (with ${methods}), or false to turn metrics off`;
      fail(TypeError, option, expected, value);
    }
  },
};

/** Checks every option (an unknown key is an error) and fills in the defaults. */
export function validateConfig(config: CircuitBreakerConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TypeError(
      `circuitBreaker: config must be an object, received ${describeValue(config)}`,
    );
  }
  for (const [option, value] of Object.entries(config)) {
    const check = checks[option as keyof CircuitBreakerConfig] as Check | undefined;
    if (!check)
      throw new TypeError(`circuitBreaker: unknown option "${option}"${suggestion(option)}`);
    if (value !== undefined) check(option, value);
  }
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
  };
}

/** The settings a breaker lets you change while it runs. */
export type Setting = 'failMax' | 'resetTimeout' | 'successThreshold' | 'halfOpenMaxCalls';

/** Checks one setting, as the breaker's setters do. */
export function validateSetting(option: Setting, value: unknown) {
  checks[option](option, value);
}

function checkCount(option: string, value: unknown) {
  if (typeof value !== 'number') fail(TypeError, option, 'an integer ≥ 1', value);
  if (!Number.isInteger(value) || value < 1) fail(RangeError, option, 'an integer ≥ 1', value);
}

function checkDuration(option: string, value: unknown) {
  if (typeof value !== 'number') {
    fail(TypeError, option, 'a finite number of milliseconds ≥ 0', value);
  }
  if (!Number.isFinite(value) || value < 0) {
    fail(RangeError, option, 'a finite number of milliseconds ≥ 0', value);
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
      `circuitBreaker: "store" must be ${expected}; it returned ${describeValue(store)}`,
    );
  }
  return store as StateStore;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return methods.every(
    (method) => typeof (value as Record<string, unknown>)[method] === 'function',
  );
}

function fail(kind: typeof TypeError, option: string, expected: string, value: unknown): never {
  throw new kind(
    `circuitBreaker: "${option}" must be ${expected}, received ${describeValue(value)}`,
  );
}

/** Names the known option closest to a typo (at most two edits away, ignoring case). */
function suggestion(option: string): string {
  const typo = option.toLowerCase();
  const known = Object.keys(checks).find((key) => editDistance(key.toLowerCase(), typo) <= 2);
  return known ? ` (did you mean "${known}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
