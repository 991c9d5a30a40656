import type { Redis } from 'ioredis';

/**
 * The round trips a Redis store made since the last `CONFIG RESETSTAT`: the scripts Redis ran (`EVALSHA`, or
 * `EVAL` the first time on a connection), from `INFO commandstats`. The commands a script runs inside Redis are
 * counted there too, but are not round trips.
 */
export async function scriptRoundTrips(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  let total = 0;
  for (const [, command, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (command === 'evalsha' || command === 'eval') total += Number(calls);
  }
  return total;
}
