import type { MaybePromise } from './StateStore.js';

/**
 * Runs `next` on the value now when it is a plain value, or when it resolves. Synchronous stores stay
 * synchronous end to end, which keeps marble tests exact and the in-memory hot path free of promises.
 */
export function whenReady<T, R>(
  value: MaybePromise<T>,
  next: (value: T) => R,
  onRejected: (error: unknown) => R,
): MaybePromise<R> {
  return isPromiseLike(value) ? value.then(next, onRejected) : next(value);
}

function isPromiseLike<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>> | null)?.then === 'function';
}
