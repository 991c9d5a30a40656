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
 * Keys, for namespace `ns` and breaker `name`: `ns:{name}:state` (a hash), `ns:{name}:trials` (a sorted set) and,
 * with a rate rule, `ns:{name}:window` (a hash); transitions are published on `ns:{name}:transitions`. A client `keyPrefix` comes first in all three (ioredis
 * prefixes the keys; the store prefixes the channel), so breakers share state and transitions exactly when they
 * share keys. The client stays yours: `dispose()` closes only the pub/sub connection.
 *
 * Every trip policy holds fleet-wide: the consecutive-failure rule, the failure-rate and slow-call windows (each
 * process counts its outcomes locally and flushes them into one shared window at most once per `flushInterval`,
 * and at once when they could trip a rule, so a successful call still makes no round trip), backoff (one shared
 * `attempt`; a `resetTimeout` function is evaluated by the process that opens the circuit and its result stored
 * with the opening), `retryAt`, `maxHalfOpenWait`, and the `isolate()` / `disable()` modes. `snapshot()` reads
 * this process's mirror of the shared state and window. Every process sharing a breaker must give it the same
 * window settings (a window of another shape is started afresh).
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
  return (context) => {
    if (!context.explicitName) {
      throw new TypeError(
        'redisStore: the breaker needs a "name" option: breakers share state through Redis by name, so unnamed ones would all share one circuit',
      );
    }
    validateBreakerName(context.name);
    return new RedisStateStore(redis, context, resolved);
  };
}
