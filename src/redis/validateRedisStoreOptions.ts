import {
  checkOptions,
  durationCheck,
  failOption,
  timerDelayCheck,
} from '../config/checkOptions.js';
import type { Check } from '../config/checkOptions.js';
import { circuitStates } from '../core/CircuitState.js';
import type { CircuitState } from '../core/CircuitState.js';
import type { RedisClientLike } from './RedisClientLike.js';
import type { RedisStoreOptions } from './RedisStoreOptions.js';

/** Options with every default filled in. */
export interface ResolvedRedisStoreOptions {
  readonly namespace: string;
  readonly fallbackState: CircuitState | undefined;
  readonly commandTimeout: number;
  readonly trialPermitTtl: number;
  /** Undefined: the default of the breaker's window (see `defaultFlushInterval`). */
  readonly flushInterval: number | undefined;
}

const owner = 'redisStore';

const checks: Record<keyof RedisStoreOptions, Check> = {
  namespace: (option, value) => {
    if (typeof value !== 'string' || value === '')
      failOption(owner, option, 'a non-empty string', value);
    if (/[{}]/.test(value))
      failOption(owner, option, 'free of "{" and "}" (they delimit the Cluster hash tag)', value);
  },
  fallbackState: (option, value) => {
    if (!(circuitStates as readonly unknown[]).includes(value)) {
      failOption(
        owner,
        option,
        `one of ${circuitStates.map((state) => `'${state}'`).join(', ')}`,
        value,
      );
    }
  },
  commandTimeout: timerDelayCheck(owner, 'above 0'),
  trialPermitTtl: durationCheck(owner, 'above 0'),
  flushInterval: timerDelayCheck(owner, 'above 0'),
};

/** Checks the client and every option (an unknown key is an error) and fills in the defaults. */
export function validateRedisStoreOptions(
  redis: unknown,
  options: RedisStoreOptions,
): ResolvedRedisStoreOptions {
  if (!isRedisClient(redis))
    failOption(owner, 'redis', 'an ioredis Redis or Cluster client', redis);
  checkOptions(owner, '"options"', options, checks);
  return {
    namespace: options.namespace ?? 'rxjs-circuit-breaker',
    fallbackState: options.fallbackState,
    commandTimeout: options.commandTimeout ?? 1000,
    trialPermitTtl: options.trialPermitTtl ?? 30_000,
    flushInterval: options.flushInterval,
  };
}

/** Breaker names become the hash tag of their keys, so braces would split one breaker over several slots. */
export function validateBreakerName(name: string): void {
  if (/[{}]/.test(name)) {
    failOption(
      owner,
      'name',
      'free of "{" and "}" with redisStore (they delimit the Cluster hash tag)',
      name,
    );
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
