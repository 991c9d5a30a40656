import { HttpException, ServiceUnavailableException } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { asyncScheduler, catchError } from 'rxjs';
import type { Observable, SchedulerLike } from 'rxjs';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import { isRefusal } from '../breaker/CircuitBreakerError.js';
import type { CircuitBreakerError } from '../breaker/CircuitBreakerError.js';
import type { HttpBreakerOptions } from '../http/HttpBreakerOptions.js';
import { isFailureStatus } from '../http/isFailureStatus.js';
import { interceptorOptions } from '../http/interceptorOptions.js';
import { keyedBreakers } from '../http/keyedBreakers.js';

/**
 * Options of {@link CircuitBreakerInterceptor}: the breaker settings, and which breaker a request goes through.
 *
 * @public
 */
export interface CircuitBreakerInterceptorOptions extends HttpBreakerOptions {
  /**
   * The breaker a request goes through, by key (also the breaker's name). Default: its route, as
   * `Controller#handler`.
   */
  readonly key?: (context: ExecutionContext) => string;
}

/**
 * A NestJS interceptor that runs each route handler through a circuit breaker of its own.
 *
 * @remarks
 * An `HttpException` with a 5xx or 429 status, or any other error, is a failure; other 4xx exceptions are neither
 * failure nor success. While a circuit is open, its requests are answered `503 Service Unavailable` with a
 * `Retry-After` header, without running the handler. The request that trips the circuit fails with its own error
 * (unless `throwNewErrorOnTrip` is true). Usable globally, per controller or per route
 * (`@UseInterceptors(new CircuitBreakerInterceptor(...))`); it needs no dependency injection.
 *
 * @example
 * ```ts
 * import type { INestApplication } from '@nestjs/common';
 * import { CircuitBreakerInterceptor } from 'rxjs-circuit-breaker/nestjs';
 *
 * declare const app: INestApplication;
 * app.useGlobalInterceptors(new CircuitBreakerInterceptor({ failMax: 5 }));
 * ```
 *
 * @public
 */
export class CircuitBreakerInterceptor implements NestInterceptor {
  private readonly breakerFor: (key: string) => CircuitBreaker;
  private readonly key: (context: ExecutionContext) => string;
  private readonly scheduler: SchedulerLike;

  constructor(options: CircuitBreakerInterceptorOptions = {}) {
    const { key, settings } = interceptorOptions('CircuitBreakerInterceptor', options, routeOf);
    this.key = key;
    this.scheduler = settings.scheduler ?? asyncScheduler;
    this.breakerFor = keyedBreakers(settings, isNeither);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const breaker = this.breakerFor(this.key(context));
    return next.handle().pipe(
      breaker,
      catchError((error: unknown) => {
        if (!isRefusal(error)) throw error;
        const retryAfter = retryAfterSeconds(error, this.scheduler);
        if (context.getType() === 'http') setHeader(context, 'Retry-After', String(retryAfter));
        throw new ServiceUnavailableException(error.message, { cause: error });
      }),
    );
  }
}

/** An HTTP exception that is not the service's fault (a 4xx other than 429). */
function isNeither(error: unknown): boolean {
  return error instanceof HttpException && !isFailureStatus(error.getStatus());
}

function routeOf(context: ExecutionContext): string {
  return `${context.getClass().name}#${context.getHandler().name}`;
}

/**
 * Seconds until the circuit admits a trial call, rounded up: from `retryAt` on an open circuit's refusal, and 1
 * when the trial slots are busy (a trial is running and will decide soon).
 */
function retryAfterSeconds(error: CircuitBreakerError, scheduler: SchedulerLike): number {
  if (error.retryAt === undefined) return 1;
  return Math.max(1, Math.ceil((error.retryAt - scheduler.now()) / 1000));
}

/** Express responses have `setHeader`, Fastify replies `header`. */
function setHeader(context: ExecutionContext, name: string, value: string): void {
  const response = context.switchToHttp().getResponse<{
    header?: (name: string, value: string) => unknown;
    setHeader?: (name: string, value: string) => unknown;
  }>();
  if (typeof response.header === 'function') response.header(name, value);
  else response.setHeader?.(name, value);
}
