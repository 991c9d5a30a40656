/** The Redis names one breaker uses. */
export interface RedisKeys {
  /** A hash: `s` state, `g` generation, `f` failures, `o` opened at (Redis ms), `c` trial successes, `i` incarnation. */
  readonly state: string;
  /** A sorted set of half-open trial permits, scored by the Redis millisecond at which each expires. */
  readonly trials: string;
  /** The pub/sub channel transitions are published on. */
  readonly channel: string;
}

/**
 * Names the keys of breaker `name` in `namespace`. The breaker name is the hash tag, so both keys of one breaker
 * live on one Redis Cluster slot (every script touches both) while different breakers spread over the cluster.
 */
export function redisKeys(namespace: string, name: string): RedisKeys {
  const base = `${namespace}:{${name}}`;
  return { state: `${base}:state`, trials: `${base}:trials`, channel: `${base}:transitions` };
}
