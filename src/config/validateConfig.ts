import { asyncScheduler } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import type { CircuitBreakerConfig, ExcludeRule } from './CircuitBreakerConfig.js';
import type { BreakerSettings } from '../core/BreakerState.js';
import { resolveFailMax } from '../core/tripPolicy.js';
import { defaultWindow, maxWindowBuckets, maxWindowCalls } from '../core/OutcomeWindow.js';
import { memoryStore } from '../core/memoryStore.js';
import type { StateStore, StateStoreFactory } from '../core/StateStore.js';
import { defaultMeter, defaultTracer } from '../telemetry/defaultTelemetry.js';
import type { MeterLike } from '../telemetry/MeterLike.js';
import type { TracerLike } from '../telemetry/TracerLike.js';
import { describeValue } from '../core/invalidInput.js';
import {
  checkOptions,
  countCheck,
  durationCheck,
  failOption,
  hasMethods,
  schedulerCheck,
} from './checkOptions.js';
import type { Check } from './checkOptions.js';
import { breakerRegistry } from '../registry/defaultRegistry.js';
import { isRegistry } from '../registry/registryHooks.js';
import type { HookedRegistry } from '../registry/registryHooks.js';

/** A config with every default filled in. */
export interface ResolvedConfig {
  readonly name: string;
  /** Whether `name` came from the user (a shared store needs one). */
  readonly explicitName: boolean;
  /**
   * The settings the state machine reads (the optional rules only when set; `failMax` is `Infinity` when a rate
   * rule replaces the consecutive rule). The breaker's own: its setters change them.
   */
  readonly settings: BreakerSettingsInForce;
  readonly exclude: readonly ExcludeRule[];
  readonly ignore: readonly ExcludeRule[];
  readonly failWhen: ((value: unknown) => boolean) | undefined;
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

/** A breaker's settings as its setters change them. */
export type BreakerSettingsInForce = { -readonly [K in keyof BreakerSettings]: BreakerSettings[K] };

const owner = 'circuitBreaker';
const checkCount = countCheck(owner);

/** `failMax` may also be `Infinity`: no consecutive rule, as the getter reads it on a rate-rule breaker without one. */
const checkFailMax: Check = (option, value) => {
  if (value !== Infinity) checkCount(option, value);
};

/** What a breaker calls on its meter (a structural check: any OpenTelemetry API version fits). */
const meterMethods = ['createCounter', 'createHistogram', 'createObservableGauge'];

const checkResetTimeout = durationCheck(owner, 'at least 0', 'or a function of the opening');
const checkPositiveDuration = durationCheck(owner, 'above 0');

const checks: Record<keyof CircuitBreakerConfig, Check> = {
  name: (option, value) => {
    if (typeof value !== 'string' || value === '') {
      failOption(owner, option, 'a non-empty string', value);
    }
  },
  failMax: checkFailMax,
  resetTimeout: (option, value) => {
    if (typeof value !== 'function') checkResetTimeout(option, value);
  },
  successThreshold: checkCount,
  halfOpenMaxCalls: checkCount,
  exclude: checkErrorRules,
  ignore: checkErrorRules,
  failWhen: (option, value) => {
    if (typeof value !== 'function') failOption(owner, option, 'a predicate function', value);
  },
  failureRate: checkRate,
  slowCallRate: checkRate,
  slowCallDuration: checkPositiveDuration,
  minimumCalls: checkCount,
  window: checkWindow,
  maxHalfOpenWait: checkPositiveDuration,
  throwNewErrorOnTrip: (option, value) => {
    if (typeof value !== 'boolean') failOption(owner, option, 'a boolean', value);
  },
  scheduler: schedulerCheck(owner),
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
  checkConfig(config);
  return {
    name: config.name ?? 'circuit-breaker',
    explicitName: config.name !== undefined,
    settings: settingsOf(config),
    exclude: rulesOf(config.exclude),
    ignore: rulesOf(config.ignore),
    failWhen: config.failWhen,
    throwNewErrorOnTrip: config.throwNewErrorOnTrip ?? true,
    scheduler: config.scheduler ?? asyncScheduler,
    store: config.store ?? memoryStore(),
    tracer: config.tracer ?? defaultTracer(),
    meter: config.meter ?? defaultMeter(),
    registry: (config.registry ?? breakerRegistry()) as HookedRegistry | false,
  };
}

/** Checks every option and the rules between them, as `circuitBreaker()` does, without resolving anything. */
export function checkConfig(config: CircuitBreakerConfig): void {
  checkOptions(owner, 'config', config, checks);
  checkCombinations(config);
}

/** No rules: one frozen array that every breaker without rules shares (memory per breaker). */
const noRules: readonly ExcludeRule[] = Object.freeze([]);

/** A copy of the rules, so that changing the config's array afterwards changes nothing. */
function rulesOf(rules: readonly ExcludeRule[] | undefined): readonly ExcludeRule[] {
  return rules === undefined || rules.length === 0 ? noRules : Object.freeze([...rules]);
}

/** The settings the state machine reads, with defaults; the optional rules only when set. */
function settingsOf(config: CircuitBreakerConfig): BreakerSettingsInForce {
  const { failureRate, slowCallRate, slowCallDuration, minimumCalls, window, maxHalfOpenWait } =
    config;
  const rules = {
    failureRate,
    slowCallRate,
    slowCallDuration,
    minimumCalls,
    window,
    maxHalfOpenWait,
  };
  return {
    failMax: resolveFailMax(config.failMax, config),
    resetTimeout: config.resetTimeout ?? 60_000,
    successThreshold: config.successThreshold ?? 1,
    halfOpenMaxCalls: config.halfOpenMaxCalls ?? 1,
    ...Object.fromEntries(Object.entries(rules).filter(([, value]) => value !== undefined)),
  };
}

/** The settings a breaker lets you change while it runs. */
export type Setting =
  'failMax' | 'resetTimeout' | 'successThreshold' | 'halfOpenMaxCalls' | 'exclude' | 'ignore';

/** Checks one setting, as the breaker's setters do. */
export function validateSetting(option: Setting, value: unknown) {
  checks[option](option, value);
}

function checkRate(option: string, value: unknown) {
  const expected = 'a number in (0, 1]';
  if (typeof value !== 'number') failOption(owner, option, expected, value);
  if (!(value > 0 && value <= 1)) failOption(owner, option, expected, value, RangeError);
}

function checkErrorRules(option: string, value: unknown) {
  if (!Array.isArray(value)) {
    failOption(owner, option, 'an array of error classes or predicates', value);
  }
  value.forEach((rule, index) => {
    if (typeof rule !== 'function') {
      failOption(owner, `${option}[${index}]`, 'an error class or a predicate function', rule);
    }
  });
}

const windowChecks: Record<'calls' | 'duration' | 'buckets', Check> = {
  calls: countCheck(owner, maxWindowCalls),
  duration: checkPositiveDuration,
  buckets: countCheck(owner, maxWindowBuckets),
};

/** `{ calls }` or `{ duration, buckets? }`: each field named `window.<field>` in errors. */
function checkWindow(option: string, value: unknown) {
  const expected = 'either { calls } or { duration, buckets? }';
  const fields = typeof value === 'object' && value !== null ? Object.entries(value) : [];
  for (const [field, fieldValue] of fields) {
    if (!Object.hasOwn(windowChecks, field)) {
      failOption(owner, `${option}.${field}`, `absent (${option} is ${expected})`, fieldValue);
    }
  }
  checkOptions(owner, `"${option}"`, value, prefixed(option, windowChecks));
  const { calls, duration, buckets } = value as Record<string, unknown>;
  if ((calls === undefined) === (duration === undefined)) {
    failOption(owner, option, expected, value);
  }
  if (calls !== undefined && buckets !== undefined) {
    failOption(owner, `${option}.buckets`, `absent with ${option}.calls (${expected})`, buckets);
  }
}

/** Checks that report a nested field by its full name (`window.calls`). */
function prefixed<K extends string>(prefix: string, checks: Record<K, Check>): Record<K, Check> {
  const entries = Object.entries<Check>(checks).map(([field, check]) => [
    field,
    (_: string, value: unknown) => check(`${prefix}.${field}`, value),
  ]);
  return Object.fromEntries(entries) as Record<K, Check>;
}

/** The rules between options, checked once each option is known to be right on its own. */
function checkCombinations(config: CircuitBreakerConfig) {
  const rateRule = config.failureRate !== undefined || config.slowCallRate !== undefined;
  for (const option of ['window', 'minimumCalls'] as const) {
    if (config[option] !== undefined && !rateRule) {
      needs(option, 'a rate rule ("failureRate" or "slowCallRate")');
    }
  }
  if (config.slowCallDuration !== undefined && config.slowCallRate === undefined) {
    needs('slowCallDuration', '"slowCallRate" (slow calls are tracked only then)');
  }
  // minimumCalls is set only with a rate rule (checked above), whose window is the default one if not given.
  const { minimumCalls, window = defaultWindow } = config;
  if (minimumCalls !== undefined && 'calls' in window && minimumCalls > window.calls) {
    const size = config.window ? `${window.calls}` : `${window.calls}, the default window`;
    throw new RangeError(
      `${owner}: "minimumCalls" must be at most "window.calls" (${size}), received ${minimumCalls}: ` +
        'a window of that size never holds enough calls to judge a rate',
    );
  }
}

function needs(option: keyof CircuitBreakerConfig, what: string): never {
  throw new TypeError(`${owner}: "${option}" needs ${what}, which is not set`);
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
