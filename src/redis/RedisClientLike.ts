/**
 * The part of an ioredis connection used for pub/sub: what `duplicate()` returns.
 *
 * @public
 */
export interface RedisSubscriberLike {
  /** ioredis's connection status. */
  readonly status: string;
  /** Subscribes to channels; resolves once Redis confirmed. */
  subscribe(...channels: string[]): PromiseLike<unknown>;
  /** Unsubscribes from channels. */
  unsubscribe(...channels: string[]): PromiseLike<unknown>;
  /** A message published on a subscribed channel. */
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  /** Connected (again). */
  on(event: 'ready', listener: () => void): unknown;
  /** A connection error (ioredis keeps reconnecting). */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Closes the connection at once, for good. */
  disconnect(): void;
}

/**
 * What the Redis store needs from a client: an ioredis `Redis` or `Cluster`, version 5 or 6, speaking RESP2 or
 * RESP3. It is typed structurally so that either major version of ioredis fits.
 *
 * @public
 */
export interface RedisClientLike {
  /** ioredis's connection status; the store only sends commands while it is `'ready'`. */
  readonly status: string;
  /**
   * The client's options, of which the store reads `keyPrefix` (set on a `Redis`, or on a `Cluster` directly or
   * through `redisOptions`). ioredis prefixes keys but not pub/sub channels, so the store adds it to its channel.
   */
  readonly options?: { readonly keyPrefix?: string };
  /** Defines a Lua script as a command of this client (the store's commands are named `rxcb…V4`). */
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  /** A new connection with the same options, used for pub/sub. */
  duplicate(): RedisSubscriberLike;
  /** Connects a client created with `lazyConnect`. */
  connect(): PromiseLike<void>;
  /** `'ready'`: connected (again); `'close'`: the connection was lost (ioredis may reconnect); `'end'`: closed for good. */
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown;
  /** Removes a listener added with `on`. */
  removeListener(event: 'ready' | 'close' | 'end', listener: () => void): unknown;
}
