import { crossCopyBrand } from '../breaker/crossCopyBrand.js';
/**
 * What went wrong with Redis:
 * - `'unavailable'`: the client was not connected, so the command was skipped (never queued);
 * - `'timeout'`: no reply within `commandTimeout`;
 * - `'command'`: Redis or ioredis rejected the command;
 * - `'bad-data'`: a key or a reply held something this store did not write (it is treated as missing);
 * - `'subscriber'`: the pub/sub connection failed (remote transitions arrive late until it reconnects).
 *
 * @public
 */
export type RedisStoreErrorKind = 'unavailable' | 'timeout' | 'command' | 'bad-data' | 'subscriber';

/**
 * A fault of the Redis store, delivered as the `error` of a `'store-error'` event on the breaker's `events$`.
 * The call that met it was decided on the local state and was not affected.
 *
 * @remarks
 * Use {@link isRedisStoreError} rather than `instanceof`: it also recognises errors from another copy of this
 * package.
 *
 * @example
 * ```ts
 * import { circuitBreaker } from 'rxjs-circuit-breaker';
 * import { isRedisStoreError } from 'rxjs-circuit-breaker/redis';
 *
 * declare const breaker: ReturnType<typeof circuitBreaker>;
 * breaker.events$.subscribe((event) => {
 *   if (event.type === 'store-error' && isRedisStoreError(event.error)) {
 *     console.warn(`redis store ${event.error.kind} during ${event.error.operation}`);
 *   }
 * });
 * ```
 * @public
 */
export class RedisStoreError extends Error {
  /** Always `'RedisStoreError'`. */
  override readonly name = 'RedisStoreError';
  /** The kind of fault. */
  readonly kind: RedisStoreErrorKind;
  /** The store operation that met it, such as `'failure'`, `'acquire'` or `'sync'`. */
  readonly operation: string;

  constructor(
    kind: RedisStoreErrorKind,
    operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`redisStore ${operation}: ${message}`, options);
    this.kind = kind;
    this.operation = operation;
  }
}

/**
 * Tells whether `error` is a {@link RedisStoreError}, from this or any other copy of the package.
 *
 * @public
 */
export function isRedisStoreError(error: unknown): error is RedisStoreError {
  return isRedisStoreErrorBrand(error);
}

const isRedisStoreErrorBrand = crossCopyBrand(RedisStoreError, 'RedisStoreError');
