import type { CircuitBreakerConfig } from '../config/CircuitBreakerConfig.js';

/**
 * The breaker settings of an HTTP interceptor: those of {@link CircuitBreakerConfig} except `name` (each breaker
 * is named after its key) and `ignore` (the HTTP status decides: a 4xx other than 429 counts as nothing).
 * `throwNewErrorOnTrip` defaults to `false` here, so the request that trips the circuit fails with its own HTTP
 * error.
 *
 * @public
 */
export type HttpBreakerOptions = Omit<CircuitBreakerConfig, 'name' | 'ignore'>;
