import type { RedisKeys } from './keys.js';
import { RedisStoreError } from './RedisStoreError.js';
import type { RedisStoreErrorKind } from './RedisStoreError.js';

/** A command skipped because Redis cannot be used now: the client is not ready, or it failed the last command. */
export function unavailableError(
  operation: string,
  status: string,
  failedLast: boolean,
): RedisStoreError {
  const why =
    failedLast && status === 'ready' ? 'Redis failed the last command' : `client is "${status}"`;
  return new RedisStoreError('unavailable', operation, `${why}; decided on the local state`);
}

/** A script found data it did not write in the breaker's keys, and treated it as missing. */
export function badDataError(keys: RedisKeys, operation: string): RedisStoreError {
  const message = `${keys.state}, ${keys.trials} or ${keys.window} held data this store did not write; it was treated as missing`;
  return new RedisStoreError('bad-data', operation, message);
}

/** `error` as a store error of `kind` (kept as it is if it already is one), with the original as `cause`. */
export function storeError(
  kind: RedisStoreErrorKind,
  operation: string,
  error: unknown,
): RedisStoreError {
  if (error instanceof RedisStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RedisStoreError(kind, operation, message, { cause: error });
}
