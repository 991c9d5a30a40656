import type { MaybePromise } from './StateStore.js';

/**
 * Runs `next` on the value now when it is a plain value, or when it resolves. Synchronous stores stay
 * synchronous end to end, which keeps marble tests exact and the in-memory hot path free of promises.
 */
export function whenReady<T, R>(
  value: MaybePromise<T>,
  next: (value: T) => R,
  onRejected?: (error: unknown) => R,
): MaybePromise<R> {
  // `instanceof` rather than looking for `then`: a miss on `then` walks the prototype chain of every answer.
  return value instanceof Promise ? value.then(next, onRejected) : next(value);
}
