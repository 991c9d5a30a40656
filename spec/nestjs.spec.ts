// NestJS, for real: an application booted with @nestjs/testing on loopback. One route calls a flaky upstream
// through @nestjs/axios' HttpService with a breaker in the pipe; another is guarded by CircuitBreakerInterceptor.
// Nest's decorators are applied as plain functions, so the spec needs no decorator compilation.
import 'reflect-metadata';
import { HttpModule, HttpService } from '@nestjs/axios';
import {
  Controller,
  Get,
  HttpException,
  Inject,
  ServiceUnavailableException,
  UseInterceptors,
} from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { catchError, map } from 'rxjs';
import type { Observable } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';
import { CircuitBreakerInterceptor } from '../src/nestjs/index.js';
import { useFlakyServer } from './support/flakyServer.js';
import { virtualClock } from './support/virtualClock.js';

const upstream = useFlakyServer();
const resetTimeout = 300;
/**
 * The breakers' time: virtual, so that a circuit stays open however slow the machine is between two requests, and
 * half-opens when the test says the reset timeout has passed.
 */
const clock = virtualClock();
const resetTimeoutPasses = () => clock.advanceTo(clock.scheduler.now() + resetTimeout);

/** Calls the upstream through HttpService, with the breaker operator in the pipe. */
class QuotesController {
  private readonly breaker = circuitBreaker({
    name: 'quotes-upstream',
    failMax: 2,
    resetTimeout,
    scheduler: clock.scheduler,
  });

  constructor(private readonly http: HttpService) {}

  quote(): Observable<string> {
    return this.http.get<string>(`${upstream.url}/quote`, { responseType: 'text' }).pipe(
      this.breaker,
      map((response) => response.data),
      catchError((error: unknown) => {
        throw isCircuitBreakerError(error)
          ? new ServiceUnavailableException('quotes are unavailable')
          : new HttpException('upstream failed', 502);
      }),
    );
  }
}
Controller('quotes')(QuotesController);
Inject(HttpService)(QuotesController, undefined, 0);
route(QuotesController, 'quote', Get());

/** Throws what `handler.status` says; the interceptor guards each route with a breaker of its own. */
const handler = { status: 200, runs: 0 };
class FlakyController {
  flaky(): string {
    handler.runs++;
    if (handler.status !== 200) throw new HttpException('flaky', handler.status);
    return 'ok';
  }

  steady(): string {
    return 'steady';
  }
}
Controller('flaky')(FlakyController);
UseInterceptors(
  new CircuitBreakerInterceptor({ failMax: 2, resetTimeout, scheduler: clock.scheduler }),
)(FlakyController);
route(FlakyController, 'flaky', Get());
route(FlakyController, 'steady', Get('steady'));

function route(controller: { prototype: object }, method: string, decorator: MethodDecorator) {
  const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, method);
  if (!descriptor) throw new Error(`no method ${method}`);
  decorator(controller.prototype, method, descriptor);
}

let app: INestApplication;
let base: string;

beforeAll(async () => {
  const module = await Test.createTestingModule({
    imports: [HttpModule],
    controllers: [QuotesController, FlakyController],
  }).compile();
  app = module.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
});

afterAll(async () => {
  await app?.close();
});

beforeEach(() => {
  upstream.hits = handler.runs = 0;
  upstream.status = handler.status = 200;
});

async function get(path: string) {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

describe('a Nest route calling a flaky upstream through HttpService and a breaker', () => {
  it('stops calling the upstream once the circuit is open, then recovers', async () => {
    upstream.status = 500;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/quotes')).status);
    // The call that trips the circuit fails with the CircuitBreakerError too (throwNewErrorOnTrip).
    expect([statuses, upstream.hits]).toEqual([[502, 503, 503], 2]);

    upstream.status = 200;
    resetTimeoutPasses();
    expect([(await get('/quotes')).status, upstream.hits]).toEqual([200, 3]);
  });
});

describe('CircuitBreakerInterceptor', () => {
  it('answers 503 with Retry-After without running the handler, and closes after the reset timeout', async () => {
    handler.status = 500;
    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await get('/flaky'));
    expect(responses).toEqual([
      { status: 500, retryAfter: null },
      { status: 500, retryAfter: null },
      { status: 503, retryAfter: String(Math.ceil(resetTimeout / 1000)) },
    ]);
    expect(handler.runs).toBe(2);
    expect((await get('/flaky/steady')).status).toBe(200);

    handler.status = 200;
    resetTimeoutPasses();
    expect([(await get('/flaky')).status, (await get('/flaky')).status, handler.runs]).toEqual([
      200, 200, 4,
    ]);
  });

  it('counts 4xx other than 429 as no failure, and 429 as one', async () => {
    handler.status = 404;
    const notFound = [];
    for (let i = 0; i < 3; i++) notFound.push((await get('/flaky')).status);
    handler.status = 429;
    const tooMany = [];
    for (let i = 0; i < 3; i++) tooMany.push((await get('/flaky')).status);
    expect([notFound, tooMany]).toEqual([
      [404, 404, 404],
      [429, 429, 503],
    ]);
  });

  it('counts a 4xx between two failures as nothing: it does not reset the failure count', async () => {
    // The test before leaves the circuit open: let a trial close it.
    handler.status = 200;
    resetTimeoutPasses();
    expect((await get('/flaky')).status).toBe(200);
    const statuses = [];
    for (const status of [500, 404, 500, 500]) {
      handler.status = status;
      statuses.push((await get('/flaky')).status);
    }
    // With failMax 2, the second 500 trips the circuit: the 404 between them neither failed nor succeeded.
    expect(statuses).toEqual([500, 404, 500, 503]);
  });
});

describe('CircuitBreakerInterceptor options', () => {
  it('are checked when the interceptor is made, naming the bad one, not at its first request', () => {
    expect(() => new CircuitBreakerInterceptor({ failMax: -1 })).toThrow(
      new RangeError('circuitBreaker: "failMax" must be an integer ≥ 1, received -1'),
    );
    expect(() => new CircuitBreakerInterceptor({ resetTimout: 1000 } as never)).toThrow(
      /unknown option "resetTimout" \(did you mean "resetTimeout"\?\)/,
    );
    expect(() => new CircuitBreakerInterceptor({ key: 'route' } as never)).toThrow(
      /CircuitBreakerInterceptor: "key" must be a function .*received "route"/,
    );
    expect(() => new CircuitBreakerInterceptor({ name: 'api' } as never)).toThrow(
      /"name" must be absent \(each breaker is named by its key\)/,
    );
  });
});
