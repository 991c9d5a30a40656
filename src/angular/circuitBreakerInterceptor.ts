import { HttpContextToken, HttpErrorResponse } from '@angular/common/http';
import type { HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import type { HttpBreakerOptions } from '../http/HttpBreakerOptions.js';
import { isFailureStatus } from '../http/isFailureStatus.js';
import { keyedBreakers } from '../http/keyedBreakers.js';

/**
 * Options of {@link circuitBreakerInterceptor}: the breaker settings, and which breaker a request goes through.
 *
 * @public
 */
export interface CircuitBreakerInterceptorOptions extends HttpBreakerOptions {
  /** The breaker a request goes through, by key (also the breaker's name). Default: the request's origin. */
  readonly key?: (request: HttpRequest<unknown>) => string;
}

/**
 * Set it to `true` in a request's `HttpContext` and the request bypasses the circuit breaker.
 *
 * @example
 * ```ts
 * import { HttpClient, HttpContext } from '@angular/common/http';
 * import { SKIP_CIRCUIT_BREAKER } from 'rxjs-circuit-breaker/angular';
 *
 * declare const http: HttpClient;
 * http.get('/health', { context: new HttpContext().set(SKIP_CIRCUIT_BREAKER, true) });
 * ```
 *
 * @public
 */
export const SKIP_CIRCUIT_BREAKER = new HttpContextToken<boolean>(() => false);

/**
 * An `HttpInterceptorFn` that sends each request through the circuit breaker of its origin.
 *
 * @remarks
 * Network errors (status 0), 5xx and 429 responses are failures; other 4xx responses are neither failure nor
 * success. While a circuit is open, its requests fail at once with the `CircuitBreakerError` (its `breakerName`
 * is the origin) and never reach the network. The request that trips the circuit fails with its own
 * `HttpErrorResponse` (unless `throwNewErrorOnTrip` is true).
 *
 * @example
 * ```ts
 * import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
 * import { circuitBreakerInterceptor } from 'rxjs-circuit-breaker/angular';
 *
 * export const providers = [
 *   provideHttpClient(
 *     withInterceptors([circuitBreakerInterceptor({ failMax: 5, resetTimeout: 30_000 })]),
 *     withFetch(),
 *   ),
 * ];
 * ```
 *
 * @public
 */
export function circuitBreakerInterceptor(
  options: CircuitBreakerInterceptorOptions = {},
): HttpInterceptorFn {
  const { key = originOf, ...settings } = options;
  const breakerFor = keyedBreakers(settings, isNeither);
  return (request, next) =>
    request.context.get(SKIP_CIRCUIT_BREAKER)
      ? next(request)
      : next(request).pipe(breakerFor(key(request)));
}

/** A response the server gave, with a status that is not the service's fault (a 4xx other than 429). */
function isNeither(error: unknown): boolean {
  return error instanceof HttpErrorResponse && error.status !== 0 && !isFailureStatus(error.status);
}

/** `https://api.example.com`; a relative URL belongs to the page's origin. */
function originOf(request: HttpRequest<unknown>): string {
  const page = (globalThis as { location?: { href: string } }).location?.href;
  try {
    return new URL(request.url, page).origin;
  } catch {
    return 'same-origin';
  }
}
