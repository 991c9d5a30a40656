import { asyncScheduler } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import type { CircuitBreakerConfig, ExcludeRule } from './CircuitBreakerConfig.js';
import { memoryStore } from './core/memoryStore.js';
import type { StateStoreFactory } from './core/StateStore.js';

/** A config with every default filled in. */
export interface ResolvedConfig {
  readonly name: string;
  readonly failMax: number;
  readonly resetTimeout: number;
  readonly successThreshold: number;
  readonly halfOpenMaxCalls: number;
  readonly exclude: readonly ExcludeRule[];
  readonly throwNewErrorOnTrip: boolean;
  readonly scheduler: SchedulerLike;
  readonly store: StateStoreFactory;
}

type Check = (option: string, value: unknown) => void;

const checks: Record<keyof CircuitBreakerConfig, Check> = {
  name: (option, value) => {
    if (typeof value !== 'string' || value === '') fail(TypeError, option, 'a non-empty string', value);
  },
  failMax: checkCount,
  resetTimeout: checkDuration,
  successThreshold: checkCount,
  halfOpenMaxCalls: checkCount,
  exclude: (option, value) => {
    if (!Array.isArray(value)) fail(TypeError, option, 'an array of error classes or predicates', value);
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
    if (typeof value !== 'function') fail(TypeError, option, 'a store factory such as memoryStore()', value);
  },
};

/** Checks every option (an unknown key is an error) and fills in the defaults. */
export function validateConfig(config: CircuitBreakerConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TypeError(`circuitBreaker: config must be an object, received ${describe(config)}`);
  }
  for (const [option, value] of Object.entries(config)) {
    const check = checks[option as keyof CircuitBreakerConfig] as Check | undefined;
    if (!check) throw new TypeError(`circuitBreaker: unknown option "${option}"${suggestion(option)}`);
    if (value !== undefined) check(option, value);
  }
  return {
    name: config.name ?? 'circuit-breaker',
    failMax: config.failMax ?? 5,
    resetTimeout: config.resetTimeout ?? 60_000,
    successThreshold: config.successThreshold ?? 1,
    halfOpenMaxCalls: config.halfOpenMaxCalls ?? 1,
    exclude: [...(config.exclude ?? [])],
    throwNewErrorOnTrip: config.throwNewErrorOnTrip ?? true,
    scheduler: config.scheduler ?? asyncScheduler,
    store: config.store ?? memoryStore(),
  };
}

/** Checks one setting, as the breaker's setters do. */
export function validateSetting(option: 'failMax' | 'resetTimeout' | 'successThreshold', value: unknown) {
  checks[option](option, value);
}

function checkCount(option: string, value: unknown) {
  if (typeof value !== 'number') fail(TypeError, option, 'an integer ≥ 1', value);
  if (!Number.isInteger(value) || value < 1) fail(RangeError, option, 'an integer ≥ 1', value);
}

function checkDuration(option: string, value: unknown) {
  if (typeof value !== 'number') fail(TypeError, option, 'a finite number of milliseconds ≥ 0', value);
  if (!Number.isFinite(value) || value < 0) {
    fail(RangeError, option, 'a finite number of milliseconds ≥ 0', value);
  }
}

function fail(kind: typeof TypeError, option: string, expected: string, value: unknown): never {
  throw new kind(`circuitBreaker: "${option}" must be ${expected}, received ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function suggestion(option: string): string {
  const known = Object.keys(checks).find((key) => key.toLowerCase() === option.toLowerCase());
  return known ? ` (did you mean "${known}"?)` : '';
}
