/**
 * The part of an ioredis connection used for pub/sub: what `duplicate()` returns.
 *
 * @public
 */
export interface RedisSubscriberLike {
  readonly status: string;
  subscribe(...channels: string[]): PromiseLike<unknown>;
  unsubscribe(...channels: string[]): PromiseLike<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
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
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  /** A new connection with the same options, used for pub/sub. */
  duplicate(): RedisSubscriberLike;
  connect(): PromiseLike<void>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}
