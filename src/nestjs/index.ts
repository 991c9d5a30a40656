/**
 * The NestJS integration: `CircuitBreakerInterceptor`, one circuit breaker per route, refusals answered
 * `503 Service Unavailable` with `Retry-After`. Needs `@nestjs/common` (an optional peer dependency).
 *
 * @packageDocumentation
 */
export { CircuitBreakerInterceptor } from './CircuitBreakerInterceptor.js';
export type { CircuitBreakerInterceptorOptions } from './CircuitBreakerInterceptor.js';
export type { HttpBreakerOptions } from '../http/HttpBreakerOptions.js';
