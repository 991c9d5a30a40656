import { circuitBreaker } from '../breaker/circuitBreaker.js';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { HttpBreakerOptions } from './HttpBreakerOptions.js';
import { neitherFailureNorSuccess } from './neitherFailureNorSuccess.js';

/**
 * The breaker of each key (an origin, a route), made on first use and named after the key. An error for which
 * `isNeither` holds (a 4xx other than 429) is neither a failure nor a success.
 *
 * @remarks
 * A map of our own until breaker groups land (`circuitBreakers(...)`, issue 12): this is the one place to switch.
 */
export function keyedBreakers(
  options: HttpBreakerOptions,
  isNeither: (error: unknown) => boolean,
): (key: string) => CircuitBreaker {
  const breakers = new Map<string, CircuitBreaker>();
  const config = {
    throwNewErrorOnTrip: false,
    ...options,
    ...neitherFailureNorSuccess(isNeither),
  };
  return (key) => {
    let breaker = breakers.get(key);
    if (!breaker) {
      breaker = circuitBreaker({ ...config, name: key });
      breakers.set(key, breaker);
    }
    return breaker;
  };
}
