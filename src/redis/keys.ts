import type { RedisClientLike } from './RedisClientLike.js';

/** The Redis names one breaker uses. */
export interface RedisKeys {
  /**
   * A hash: `s` state, `g` generation, `f` failures, `o` opened at (Redis ms), `c` trial successes, `i`
   * incarnation, `a` attempt (openings since last closed), `p` open time of the last opening (ms), `t` half-open
   * since (Redis ms).
   */
  readonly state: string;
  /** A sorted set of half-open trial permits, scored by the Redis millisecond at which each expires. */
  readonly trials: string;
  /**
   * A hash: the rate rules' window, merged from the batches every process flushes (see scripts.ts). Present only
   * when a rate rule is set.
   */
  readonly window: string;
  /**
   * The pub/sub channel transitions are published on. Unlike the keys it carries the client's `keyPrefix`
   * already, since ioredis prefixes keys but not channels (nor script arguments, which is how a script gets it).
   */
  readonly channel: string;
}

/**
 * Names the keys of breaker `name` in `namespace`. The breaker name is the hash tag, so all keys of one breaker
 * live on one Redis Cluster slot (a script touches several) while different breakers spread over the cluster.
 *
 * ioredis prepends the client's `keyPrefix` to the keys; the channel gets the same prefix here, so that breakers
 * hear each other's transitions exactly when they share keys.
 */
export function redisKeys(namespace: string, name: string, keyPrefix = ''): RedisKeys {
  const base = `${namespace}:{${name}}`;
  return {
    state: `${base}:state`,
    trials: `${base}:trials`,
    window: `${base}:window`,
    channel: `${keyPrefix}${base}:transitions`,
  };
}

/**
 * The prefix ioredis puts on every key `client` sends: `options.keyPrefix`, for a `Redis` and for a `Cluster`
 * alike (a `Cluster` copies `redisOptions.keyPrefix` there when only that one is set, and prefixes by it).
 */
export function keyPrefixOf(client: RedisClientLike): string {
  const prefix: unknown = client.options?.keyPrefix;
  if (typeof prefix === 'string') return prefix;
  // ioredis also takes a Buffer (untyped); keys then start with its bytes.
  return prefix instanceof Uint8Array ? Buffer.from(prefix).toString() : '';
}
