import { HttpContextToken, HttpErrorResponse, HttpEventType } from '@angular/common/http';
import type { HttpEvent, HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { Observable, filter } from 'rxjs';
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { HttpBreakerOptions } from '../http/HttpBreakerOptions.js';
import { isFailureStatus } from '../http/isFailureStatus.js';
import { interceptorOptions } from '../http/interceptorOptions.js';
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
 * Network errors (status 0), 5xx and 429 responses, and answers whose body could not be parsed (an error with a
 * 2xx status), are failures; 3xx and other 4xx responses are neither failure nor success. While a circuit is
 * open, its requests fail at once with the `CircuitBreakerError` (its `breakerName` is the origin) and never reach
 * the network. The request that trips the circuit fails with its own
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
  const { key, settings } = interceptorOptions('circuitBreakerInterceptor', options, originOf);
  const breakerFor = keyedBreakers(settings, isNeither);
  return (request, next) =>
    request.context.get(SKIP_CIRCUIT_BREAKER)
      ? next(request)
      : answersThrough(next(request), breakerFor(key(request)));
}

/**
 * The request's events through the breaker, except the first: the `HttpSentEvent` the backend emits as the request
 * leaves is no answer from the service. Through the breaker it would be the call's first value, and a caller that
 * gives up before the answer (`timeout()`, a `switchMap`, leaving the page) would count as a success (closing a
 * half-open circuit on a service that never answered). It goes to the caller beside the breaker instead.
 */
function answersThrough(
  events: Observable<HttpEvent<unknown>>,
  breaker: MonoTypeOperatorFunction<HttpEvent<unknown>>,
): Observable<HttpEvent<unknown>> {
  return new Observable((subscriber) =>
    events
      .pipe(
        filter((event) => {
          if (event.type !== HttpEventType.Sent) return true;
          subscriber.next(event);
          return false;
        }),
        breaker,
      )
      .subscribe(subscriber),
  );
}

/**
 * A response the server gave, with a status that is not the service's fault: a 3xx, or a 4xx other than 429. An
 * error with a 2xx status is an answer whose body could not be parsed (a proxy's error page, say): a failure.
 */
function isNeither(error: unknown): boolean {
  const status = error instanceof HttpErrorResponse ? error.status : 0;
  return status >= 300 && !isFailureStatus(status);
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
