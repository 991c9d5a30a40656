/**
 * The Angular integration: `circuitBreakerInterceptor(options)`, an `HttpInterceptorFn` with one circuit breaker
 * per origin. Needs `@angular/common` (an optional peer dependency).
 *
 * @packageDocumentation
 */
export { SKIP_CIRCUIT_BREAKER, circuitBreakerInterceptor } from './circuitBreakerInterceptor.js';
export type { CircuitBreakerInterceptorOptions } from './circuitBreakerInterceptor.js';
export type { HttpBreakerOptions } from '../http/HttpBreakerOptions.js';
