import type { BreakerSettings } from '../core/BreakerState.js';
import type { CircuitState } from '../core/CircuitState.js';
import type { StateStoreFactory } from '../core/StateStore.js';
import type { RedisClientLike } from './RedisClientLike.js';
import { RedisStateStore } from './RedisStateStore.js';
import type { RedisStoreOptions } from './RedisStoreOptions.js';
import { validateBreakerName, validateRedisStoreOptions } from './validateRedisStoreOptions.js';

/**
 * A store that shares each breaker's state through Redis, so that every process running a breaker of the same
 * name (and namespace) sees one circuit: it opens once for all of them, half-opens at one deadline, and admits
 * `halfOpenMaxCalls` trial calls across all of them together.
 *
 * @remarks
 * Each decision on the shared state is one atomic Lua script; a successful call in the closed state makes no
 * round trip at all. Transitions made by other processes arrive by pub/sub (on one extra connection per client)
 * and are emitted with reason `'remote'`. When Redis is unreachable or slow (`commandTimeout`), calls go on with
 * the local state and each fault is reported as a `'store-error'` event; see {@link RedisStoreOptions}.
 *
 * Keys, for namespace `ns` and breaker `name`: `ns:{name}:state` (a hash) and `ns:{name}:trials` (a sorted set);
 * transitions are published on `ns:{name}:transitions`. A client `keyPrefix` comes first in all three (ioredis
 * prefixes the keys; the store prefixes the channel), so breakers share state and transitions exactly when they
 * share keys. The client stays yours: `dispose()` closes only the pub/sub connection.
 *
 * Fleet-wide: the consecutive-failure rule, backoff (one shared `attempt`; a `resetTimeout` function is evaluated
 * by the process that opens the circuit and its result stored with the opening), `retryAt`, `maxHalfOpenWait`,
 * and the `isolate()` / `disable()` modes. `snapshot()` reads this process's mirror of the shared state. The rate
 * windows are not shared yet: a breaker with `failureRate`, `slowCallRate`, `slowCallDuration`, `minimumCalls` or
 * `window` throws when it is created with this store, and `fallbackState` cannot be `'isolated'` or `'disabled'`.
 *
 * @param redis - An ioredis `Redis` or `Cluster` client (ioredis 5 or 6, RESP2 or RESP3).
 * @param options - See {@link RedisStoreOptions}. Bad values throw a `TypeError` or `RangeError` naming the option.
 * @returns The `store` option of `circuitBreaker()`. One factory can serve many breakers. Each breaker needs an
 * explicit `name` (it names the shared circuit; `circuitBreaker()` throws a `TypeError` without one), free of `{`
 * and `}`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { circuitBreaker } from 'rxjs-circuit-breaker';
 * import { redisStore } from 'rxjs-circuit-breaker/redis';
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const breaker = circuitBreaker({
 *   name: 'payments',
 *   failMax: 5,
 *   resetTimeout: 30_000,
 *   store: redisStore(redis, { namespace: 'checkout' }),
 * });
 * breaker.transition$.subscribe(({ from, to, reason }) => console.log(`payments: ${from} -> ${to} (${reason})`));
 * ```
 * @public
 */
export function redisStore(
  redis: RedisClientLike,
  options: RedisStoreOptions = {},
): StateStoreFactory {
  const resolved = validateRedisStoreOptions(redis, options);
  if (resolved.fallbackState !== undefined && !sharedStates.includes(resolved.fallbackState)) {
    throw new RangeError(
      `redisStore: "fallbackState" ${JSON.stringify(resolved.fallbackState)} is not supported by the Redis store ` +
        `yet; use one of ${sharedStates.map((state) => `'${state}'`).join(', ')}`,
    );
  }
  return (context) => {
    if (!context.explicitName) {
      throw new TypeError(
        'redisStore: the breaker needs a "name" option: breakers share state through Redis by name, so unnamed ones would all share one circuit',
      );
    }
    validateBreakerName(context.name);
    refuseUnsharedSettings(context.settings);
    return new RedisStateStore(redis, context, resolved);
  };
}

/** The states a process may fall back to on its own (the fleet's modes are only entered together). */
const sharedStates: readonly CircuitState[] = ['closed', 'open', 'half-open'];

/** The breaker options the Lua scripts cannot honour yet: refused, never half-supported. */
const unsharedSettings = [
  'failureRate',
  'slowCallRate',
  'slowCallDuration',
  'minimumCalls',
  'window',
] as const satisfies readonly (keyof BreakerSettings)[];

function refuseUnsharedSettings(settings: BreakerSettings): void {
  for (const option of unsharedSettings) {
    if (settings[option] !== undefined) unsupported(`the circuitBreaker option "${option}"`);
  }
}

function unsupported(what: string): never {
  throw new TypeError(`redisStore: ${what} is not supported by the Redis store yet`);
}
