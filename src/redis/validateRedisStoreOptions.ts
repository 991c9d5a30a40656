import type { CircuitState } from '../core/CircuitState.js';
import type { RedisClientLike } from './RedisClientLike.js';
import type { RedisStoreOptions } from './RedisStoreOptions.js';

/** Options with every default filled in. */
export interface ResolvedRedisStoreOptions {
  readonly namespace: string;
  readonly fallbackState: CircuitState | undefined;
  readonly commandTimeout: number;
  readonly trialPermitTtl: number;
}

type Check = (option: string, value: unknown) => void;

const states: readonly unknown[] = ['closed', 'open', 'half-open'];

const checks: Record<keyof RedisStoreOptions, Check> = {
  namespace: (option, value) => {
    if (typeof value !== 'string' || value === '') fail(option, 'a non-empty string', value);
    if (/[{}]/.test(value))
      fail(option, 'free of "{" and "}" (they delimit the Cluster hash tag)', value);
  },
  fallbackState: (option, value) => {
    if (!states.includes(value)) fail(option, "'closed', 'open' or 'half-open'", value);
  },
  commandTimeout: checkPositiveDuration,
  trialPermitTtl: checkPositiveDuration,
};

/** Checks the client and every option (an unknown key is an error) and fills in the defaults. */
export function validateRedisStoreOptions(
  redis: unknown,
  options: RedisStoreOptions,
): ResolvedRedisStoreOptions {
  if (!isRedisClient(redis)) fail('redis', 'an ioredis Redis or Cluster client', redis);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('options', 'an object', options);
  }
  for (const [option, value] of Object.entries(options)) {
    const check = checks[option as keyof RedisStoreOptions] as Check | undefined;
    if (!check) throw new TypeError(`redisStore: unknown option "${option}"`);
    if (value !== undefined) check(option, value);
  }
  return {
    namespace: options.namespace ?? 'rxjs-circuit-breaker',
    fallbackState: options.fallbackState,
    commandTimeout: options.commandTimeout ?? 1000,
    trialPermitTtl: options.trialPermitTtl ?? 30_000,
  };
}

/** Breaker names become the hash tag of their keys, so braces would split one breaker over several slots. */
export function validateBreakerName(name: string): void {
  if (/[{}]/.test(name)) {
    fail('name', 'free of "{" and "}" with redisStore (they delimit the Cluster hash tag)', name);
  }
}

function isRedisClient(value: unknown): value is RedisClientLike {
  const client = value as Partial<RedisClientLike> | null;
  return (
    typeof client?.defineCommand === 'function' &&
    typeof client.duplicate === 'function' &&
    typeof client.on === 'function'
  );
}

function checkPositiveDuration(option: string, value: unknown) {
  const expected = 'a finite number of milliseconds > 0';
  if (typeof value !== 'number') fail(option, expected, value);
  if (!Number.isFinite(value) || value <= 0) fail(option, expected, value, RangeError);
}

function fail(option: string, expected: string, value: unknown, kind = TypeError): never {
  throw new kind(`redisStore: "${option}" must be ${expected}, received ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
