import { circuitBreaker } from '../../src/index.js';
import type { CircuitBreaker, CircuitBreakerConfig } from '../../src/index.js';
import { redisStore } from '../../src/redis/index.js';
import type { RedisStoreOptions } from '../../src/redis/index.js';
import { namespaces } from './namespaces.js';
import { close, connect } from './redisClients.js';
import type { ClientKind, ConnectOptions } from './redisClients.js';
import { useCleanups } from './useCleanups.js';
import { useRedisServer } from './useRedisServer.js';

/** A breaker's config and its Redis store's options in one object, as the Redis specs write them. */
export type RedisBreakerConfig = CircuitBreakerConfig & { namespace: string } & RedisStoreOptions;

/**
 * The set-up the Redis specs share: a redis-server of the file's own (with its admin client), a clean-up list,
 * fresh namespaces, and clients and breakers that are closed and disposed after each test. Call it at the top
 * level of the file.
 */
export function useRedisSpec(namespacePrefix: string) {
  const server = useRedisServer();
  const cleanups = useCleanups();
  /** A fresh namespace per call, so tests never see each other's state. */
  const freshNamespace = namespaces(namespacePrefix);

  /** A client the test owns, as another process would have one (closed after the test). */
  function client(kind?: ClientKind, options?: ConnectOptions) {
    const redis = connect(server.port, kind, options);
    cleanups.push(() => close(redis));
    return redis;
  }

  /** A breaker named 'payments' (unless `config` names it) on `redis`; disposed after the test, before clients close. */
  function breakerOn(
    redis: ReturnType<typeof connect>,
    config: RedisBreakerConfig,
  ): CircuitBreaker {
    const { namespace, fallbackState, commandTimeout, trialPermitTtl, flushInterval, ...rest } =
      config;
    const options = { namespace, fallbackState, commandTimeout, trialPermitTtl, flushInterval };
    const breaker = circuitBreaker({
      name: 'payments',
      ...rest,
      store: redisStore(redis, options),
    });
    cleanups.unshift(() => breaker.dispose());
    return breaker;
  }

  /** `count` breakers named alike, each on its own client. */
  function fleet(count: number, config: RedisBreakerConfig): CircuitBreaker[] {
    return Array.from({ length: count }, () => breakerOn(client(), config));
  }

  return { server, cleanups, freshNamespace, client, breakerOn, fleet };
}
