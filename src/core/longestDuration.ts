/**
 * The longest duration an option or a `resetTimeout` function may give, in milliseconds: 100 years.
 *
 * @remarks
 * Durations are added to times (an opening's `retryAt`, a trial permit's deadline) and, in Redis, to a key's
 * expiry, all as integers of milliseconds. Far beyond this, the sums pass 2^53 and stop being exact: the Redis
 * store then read its own writes as bad data. A circuit that should never reopen by itself is `isolate()`d.
 */
export const longestDuration = 100 * 365.25 * 24 * 60 * 60 * 1000;

/** How an error message states the bound. */
export const longestDurationText = `${longestDuration} (100 years)`;
