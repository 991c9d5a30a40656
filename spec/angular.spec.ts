// The Angular interceptor with Angular's real HttpClient (fetch backend, JIT on Node through @angular/compiler)
// against flaky servers on loopback. The breakers' time is virtual where the reset timeout must pass, so that a
// circuit stays open between two requests however slow the machine is.
import '@angular/compiler';
import {
  HttpClient,
  HttpContext,
  HttpErrorResponse,
  HttpEventType,
  provideHttpClient,
  withFetch,
  withInterceptors,
} from '@angular/common/http';
import {
  EnvironmentInjector,
  createEnvironmentInjector,
  provideZonelessChangeDetection,
} from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SKIP_CIRCUIT_BREAKER, circuitBreakerInterceptor } from '../src/angular/index.js';
import type { CircuitBreakerInterceptorOptions } from '../src/angular/index.js';
import { isCircuitBreakerError } from '../src/index.js';
import { useFlakyServer } from './support/flakyServer.js';
import { virtualClock } from './support/virtualClock.js';

const api = useFlakyServer();
const other = useFlakyServer();
const resetTimeout = 300;

/** The root injector of a zoneless test application; each test's HttpClient lives in a child of it. */
let root: EnvironmentInjector;
const injectors: EnvironmentInjector[] = [];

beforeAll(() => {
  TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());
  TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
  root = TestBed.inject(EnvironmentInjector);
});

afterEach(() => {
  injectors.splice(0).forEach((injector) => injector.destroy());
  api.hits = other.hits = 0;
  api.status = other.status = 200;
  api.body = undefined;
});

/** An HttpClient with the interceptor, as `provideHttpClient` in an application's providers makes it. */
function httpClient(options: CircuitBreakerInterceptorOptions): HttpClient {
  const providers = [
    provideHttpClient(withInterceptors([circuitBreakerInterceptor(options)]), withFetch()),
  ];
  const injector = createEnvironmentInjector(providers, root);
  injectors.push(injector);
  return injector.get(HttpClient);
}

/** What a GET ended with: the body, the HTTP status of the error, or `refused` for a CircuitBreakerError. */
async function get(http: HttpClient, url: string, context?: HttpContext): Promise<string | number> {
  try {
    return await firstValueFrom(http.get(url, { responseType: 'text', context }));
  } catch (error) {
    if (isCircuitBreakerError(error)) return 'refused';
    if (error instanceof HttpErrorResponse) return error.status;
    throw error;
  }
}

describe('circuitBreakerInterceptor with the real HttpClient', () => {
  it('opens on 5xx, refuses without reaching the server, and closes after the reset timeout', async () => {
    const clock = virtualClock();
    const http = httpClient({ failMax: 2, resetTimeout, scheduler: clock.scheduler });
    api.status = 503;
    const outcomes = [await get(http, `${api.url}/a`), await get(http, `${api.url}/b`)];
    outcomes.push(await get(http, `${api.url}/c`));
    expect(outcomes).toEqual([503, 503, 'refused']);
    expect(api.hits).toBe(2);

    api.status = 200;
    clock.advanceTo(resetTimeout);
    expect(await get(http, `${api.url}/trial`)).toBe('200');
    api.status = 500;
    expect([await get(http, `${api.url}/d`), api.hits]).toEqual([500, 4]);
  });

  it('does not count a request the caller gave up on once it was sent: it is cancelled, not a success', async () => {
    const http = httpClient({ failMax: 2, resetTimeout: 60_000 });
    api.status = 503;
    expect(await get(http, api.url)).toBe(503);
    // The caller leaves on the HttpSentEvent, before any answer: the failure counter must not be reset.
    const sent = await firstValueFrom(http.get(api.url, { observe: 'events' }));
    expect(sent.type).toBe(HttpEventType.Sent);
    expect(await get(http, api.url)).toBe(503);
    expect(await get(http, api.url)).toBe('refused');
  });

  it('counts network errors and 429 as failures', async () => {
    const http = httpClient({ failMax: 2, resetTimeout: 60_000 });
    api.status = 429;
    const closedPort = 'http://127.0.0.1:9';
    const threeTimes = async (url: string) => [
      await get(http, url),
      await get(http, url),
      await get(http, url),
    ];
    const tooMany = await threeTimes(api.url);
    const network = await threeTimes(closedPort);
    expect([tooMany, network, api.hits]).toEqual([[429, 429, 'refused'], [0, 0, 'refused'], 2]);
  });

  it('counts an answer whose body cannot be parsed (an error with status 200) as a failure', async () => {
    const http = httpClient({ failMax: 1, resetTimeout: 60_000 });
    // The server answers text/plain "200": as JSON it parses; "not json" is what a proxy's error page looks like.
    const json = (url: string) =>
      firstValueFrom(http.get(url)).then(
        () => 'parsed',
        (error: unknown) =>
          isCircuitBreakerError(error) ? 'refused' : (error as HttpErrorResponse).status,
      );
    api.status = 200;
    expect(await json(api.url)).toBe('parsed');
    api.body = 'not json';
    expect([await json(api.url), await json(api.url)]).toEqual([200, 'refused']);
  });

  it('counts other 4xx as no failure: the circuit stays closed', async () => {
    const http = httpClient({ failMax: 1, resetTimeout: 60_000 });
    api.status = 404;
    const outcomes = [await get(http, api.url), await get(http, api.url), await get(http, api.url)];
    expect([outcomes, api.hits]).toEqual([[404, 404, 404], 3]);
  });

  it('keeps one breaker per origin by default, or per key', async () => {
    const byOrigin = httpClient({ failMax: 1, resetTimeout: 60_000 });
    api.status = 500;
    await get(byOrigin, `${api.url}/x`);
    expect([await get(byOrigin, `${api.url}/y`), await get(byOrigin, other.url)]).toEqual([
      'refused',
      '200',
    ]);

    const byPath = httpClient({ failMax: 1, key: (request) => new URL(request.url).pathname });
    await get(byPath, `${api.url}/x`);
    expect([await get(byPath, `${other.url}/x`), await get(byPath, `${other.url}/y`)]).toEqual([
      'refused',
      '200',
    ]);
  });

  it('lets a request with SKIP_CIRCUIT_BREAKER through an open circuit', async () => {
    const http = httpClient({ failMax: 1, resetTimeout: 60_000 });
    api.status = 500;
    await get(http, api.url);
    const skip = new HttpContext().set(SKIP_CIRCUIT_BREAKER, true);
    expect([await get(http, api.url), await get(http, api.url, skip), api.hits]).toEqual([
      'refused',
      500,
      2,
    ]);
  });
});

describe('circuitBreakerInterceptor options', () => {
  it('are checked when the interceptor is made, naming the bad one, not at its first request', () => {
    expect(() => circuitBreakerInterceptor({ resetTimeout: 'soon' } as never)).toThrow(
      /"resetTimeout" must be .*received "soon"/,
    );
    expect(() => circuitBreakerInterceptor({ key: 'origin' } as never)).toThrow(
      `circuitBreakerInterceptor: "key" must be a function of the request that returns its breaker's key, received "origin"`,
    );
    expect(() => circuitBreakerInterceptor({ ignore: [Error] } as never)).toThrow(
      /"ignore" must be absent \(the statuses that are no failure are its ignore rule\)/,
    );
    expect(() => circuitBreakerInterceptor(null as never)).toThrow(
      'circuitBreakerInterceptor: "options" must be an object, received null',
    );
  });
});
