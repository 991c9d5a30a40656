import { checkConfig } from '../config/validateConfig.js';
import { circuitBreakers } from '../groups/circuitBreakers.js';
import type { CircuitBreakerGroup } from '../groups/CircuitBreakerGroup.js';
import type { HttpBreakerOptions } from './HttpBreakerOptions.js';
import { neitherFailureNorSuccess } from './neitherFailureNorSuccess.js';

/** An interceptor's breakers are disposed when unused this long, so a service calling many hosts stays small. */
const idleTimeout = 10 * 60_000;

/**
 * The breaker of each key (an origin, a route): a breaker group, so each is made on first use, named after its
 * key, and disposed when idle and closed. An error for which `isNeither` holds (a 4xx other than 429) is neither
 * a failure nor a success.
 */
export function keyedBreakers(
  options: HttpBreakerOptions,
  isNeither: (error: unknown) => boolean,
): CircuitBreakerGroup<string> {
  const config = {
    throwNewErrorOnTrip: false,
    ...options,
    ...neitherFailureNorSuccess(isNeither),
  };
  // Checked now, where the interceptor is made, rather than at its first request (each key's breaker has the
  // same config, its name aside).
  checkConfig({ ...config, name: 'interceptor' });
  return circuitBreakers({
    config: (key: string) => ({ ...config, name: key }),
    idleTimeout,
    scheduler: options.scheduler,
  });
}
