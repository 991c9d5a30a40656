import { readFileSync } from 'node:fs';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  NEVER,
  Observable,
  Subject,
  VirtualTimeScheduler,
  firstValueFrom,
  lastValueFrom,
  of,
  throwError,
  timer,
} from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker, memoryStore } from '../src/index.js';
import type { CircuitBreaker, CircuitBreakerConfig, Transition } from '../src/index.js';
import { registerTelemetrySdk, spansOf } from './support/telemetrySdk.js';

const sdk = registerTelemetrySdk();
const requests = trace.getTracer('spec-http-server');

beforeEach(() => sdk.spans.reset());

function breakerFor(name: string, config: CircuitBreakerConfig = {}) {
  const scheduler = new VirtualTimeScheduler();
  const breaker = circuitBreaker({ name, failMax: 2, resetTimeout: 1000, scheduler, ...config });
  return { breaker, scheduler };
}

/** Runs one call through the breaker and waits for its outcome, whatever it is. */
async function settle(call: Observable<unknown>): Promise<void> {
  await lastValueFrom(call, { defaultValue: undefined }).catch(() => undefined);
}

function fail(breaker: CircuitBreaker, message = 'boom'): Promise<void> {
  return settle(breaker(throwError(() => new Error(message))));
}

function succeed(breaker: CircuitBreaker): Promise<void> {
  return settle(breaker(of('ok')));
}

/** The transition attributes in a compact form: previous → state (reason, failure_count). */
function describeTransition(span: ReadableSpan): string {
  const a = span.attributes;
  return `${String(a['circuit_breaker.state.previous'])} → ${String(a['circuit_breaker.state'])} (${String(a['circuit_breaker.reason'])}, ${String(a['circuit_breaker.failure_count'])})`;
}

/** Runs `body` inside a request span, as an HTTP server instrumentation would, and ends the span after it. */
async function inRequest<T>(
  body: (request: Span) => Promise<T>,
): Promise<{ request: Span; result: T }> {
  return requests.startActiveSpan('GET /orders', async (request) => {
    try {
      return { request, result: await body(request) };
    } finally {
      request.end();
    }
  });
}

describe('a span for every transition', () => {
  it('says which rule tripped, with the window rates at a rate trip', async () => {
    const { breaker } = breakerFor('rate-trip', {
      failMax: undefined,
      failureRate: 0.5,
      window: { calls: 4 },
    });
    await succeed(breaker);
    await succeed(breaker);
    await fail(breaker);
    await fail(breaker);

    const [span] = spansOf(sdk, 'rate-trip');
    expect(span?.attributes).toMatchObject({
      'circuit_breaker.state': 'open',
      'circuit_breaker.reason': 'failure_rate',
      'circuit_breaker.failure_rate': 0.5,
      'circuit_breaker.slow_call_rate': 0,
    });
  });

  it('shows the new reasons and states: half_open_timeout, isolated, disabled', async () => {
    const { breaker, scheduler } = breakerFor('new-reasons', { maxHalfOpenWait: 50 });
    await breaker.halfOpen();
    // Only up to the re-opening: from there the circuit would go on half-opening and re-opening.
    scheduler.maxFrames = 50;
    scheduler.flush();
    await breaker.isolate();
    await breaker.disable();

    expect(spansOf(sdk, 'new-reasons').map(describeTransition).slice(0, 2)).toEqual([
      'closed → half-open (manual, 0)',
      'half-open → open (half_open_timeout, 0)',
    ]);
    expect(spansOf(sdk, 'new-reasons').map(describeTransition).slice(-2)).toEqual([
      'open → isolated (manual, 0)',
      'isolated → disabled (manual, 0)',
    ]);
    expect(spansOf(sdk, 'new-reasons')[0]?.attributes).not.toHaveProperty(
      'circuit_breaker.failure_rate',
    );
  });

  it('names the span and sets its attributes when failures trip the circuit', async () => {
    const { breaker } = breakerFor('trip-attributes');
    await fail(breaker, 'first');
    await fail(breaker, 'second');

    const spans = spansOf(sdk, 'trip-attributes');
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span?.name).toBe('circuit_breaker.state_change');
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toEqual({
      'circuit_breaker.name': 'trip-attributes',
      'circuit_breaker.state.previous': 'closed',
      'circuit_breaker.state': 'open',
      'circuit_breaker.failure_count': 2,
      'circuit_breaker.reason': 'failure_threshold',
    });
  });

  it('records the error of the call that tripped the circuit as an exception event', async () => {
    const { breaker } = breakerFor('trip-exception');
    await fail(breaker, 'first');
    await settle(breaker(throwError(() => new RangeError('quota exceeded'))));

    const [span] = spansOf(sdk, 'trip-exception');
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
    expect(span?.events[0]?.attributes).toMatchObject({
      'exception.type': 'RangeError',
      'exception.message': 'quota exceeded',
    });
  });

  it("keeps the type of an error-like object that is no Error (as Angular's HttpErrorResponse is)", async () => {
    const { breaker } = breakerFor('error-like', { failMax: 1 });
    const response = {
      name: 'HttpErrorResponse',
      message: 'Http failure response: 503',
      status: 503,
    };
    await settle(breaker(throwError(() => response)));

    expect(spansOf(sdk, 'error-like')[0]?.events[0]?.attributes).toEqual({
      'exception.type': 'HttpErrorResponse',
      'exception.message': 'Http failure response: 503',
    });
  });

  it('reports each transition of a full cycle with its reason and failure count', async () => {
    const { breaker, scheduler } = breakerFor('full-cycle');
    await fail(breaker);
    await fail(breaker);
    scheduler.flush(); // the reset timeout elapses
    await fail(breaker, 'trial failed');
    scheduler.flush();
    await succeed(breaker);
    await breaker.open();
    await breaker.close();

    expect(spansOf(sdk, 'full-cycle').map(describeTransition)).toEqual([
      'closed → open (failure_threshold, 2)',
      'open → half-open (reset_timeout, 2)',
      'half-open → open (trial_failure, 3)',
      'open → half-open (reset_timeout, 3)',
      'half-open → closed (trial_success, 0)',
      'closed → open (manual, 0)',
      'open → closed (manual, 0)',
    ]);
    const trialFailure = spansOf(sdk, 'full-cycle')[2];
    expect(trialFailure?.events[0]?.attributes?.['exception.message']).toBe('trial failed');
  });

  it('is named after this package and its version (the instrumentation scope)', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const { breaker } = breakerFor('scope');
    await breaker.open();

    const [span] = spansOf(sdk, 'scope');
    expect(span?.instrumentationScope).toMatchObject({ name: 'rxjs-circuit-breaker', version });
  });

  it('goes to the tracer given in the config', async () => {
    const tracer = trace.getTracer('orders-service', '3.1.0');
    const { breaker } = breakerFor('own-tracer', { tracer });
    await breaker.open();

    const [span] = spansOf(sdk, 'own-tracer');
    expect(span?.instrumentationScope).toMatchObject({ name: 'orders-service', version: '3.1.0' });
  });
});

describe('the parent of a transition span', () => {
  it('is the request span active when the tripping call was subscribed, not the one active when it failed', async () => {
    const { breaker } = breakerFor('parent-promise', { failMax: 1 });
    const failure = new Subject<never>();
    let activeWhenFailing: Span | undefined;

    const { request, result } = await inRequest(async () => {
      await Promise.resolve(); // an async boundary between the request's start and the call
      const outcome = settle(breaker(failure));
      // The error arrives from elsewhere (another request, a socket callback): outside this request's context.
      setTimeout(() => {
        context.with(ROOT_CONTEXT, () => {
          activeWhenFailing = trace.getActiveSpan();
          failure.error(new Error('connection reset'));
        });
      }, 0);
      await outcome;
      return 'done';
    });

    expect(result).toBe('done');
    expect(activeWhenFailing).toBeUndefined();
    const [span] = spansOf(sdk, 'parent-promise');
    expect(span?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(span?.spanContext().traceId).toBe(request.spanContext().traceId);
  });

  it('survives a timer between the request and the call, and a timer before the error', async () => {
    const { breaker } = breakerFor('parent-timer', { failMax: 1 });

    const { request } = await inRequest(
      () =>
        new Promise<void>((resolve) => {
          setTimeout(() => {
            const slowFailure = new Promise((_, reject) => {
              setTimeout(() => reject(new Error('timed out upstream')), 1);
            });
            void settle(breaker.execute(() => slowFailure)).then(resolve);
          }, 1);
        }),
    );

    const [span] = spansOf(sdk, 'parent-timer');
    expect(span?.attributes['circuit_breaker.reason']).toBe('failure_threshold');
    expect(span?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  });

  it('is the context of the call that found the reset timeout elapsed, when a call moves it to half-open', async () => {
    // Open since long ago: the reset timer has not run yet, so the first call makes the transition.
    const store = memoryStore({ name: 'open', generation: 1, failCounter: 2, openedAt: -5000 });
    const { breaker } = breakerFor('half-open-by-call', { store });

    const { request } = await inRequest(() => succeed(breaker));

    const [halfOpen, closed] = spansOf(sdk, 'half-open-by-call');
    expect(halfOpen && describeTransition(halfOpen)).toBe('open → half-open (reset_timeout, 2)');
    expect(halfOpen?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(closed?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  });

  it('is the caller of open(), close() or halfOpen() for a manual transition', async () => {
    const { breaker } = breakerFor('manual-parent');

    const { request } = await inRequest(() => breaker.open());

    const [span] = spansOf(sdk, 'manual-parent');
    expect(span?.attributes['circuit_breaker.reason']).toBe('manual');
    expect(span?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  });
});

describe('the open → half-open span of the reset timer', () => {
  it('starts a new trace linked to the span of the transition that opened the circuit', async () => {
    const { breaker, scheduler } = breakerFor('link', { failMax: 1 });
    const { request } = await inRequest(async () => {
      await fail(breaker);
      // The reset timer runs while the request is still active: its span must not become the request's child.
      scheduler.flush();
    });

    const [opened, halfOpen] = spansOf(sdk, 'link');
    expect(halfOpen && describeTransition(halfOpen)).toBe('open → half-open (reset_timeout, 1)');
    expect(opened?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(halfOpen?.parentSpanContext).toBeUndefined();
    expect(halfOpen?.spanContext().traceId).not.toBe(request.spanContext().traceId);
    expect(halfOpen?.links.map((link) => link.context)).toEqual([opened?.spanContext()]);
  });

  it('is not the only timer-made span: half-open → open after maxHalfOpenWait starts a new trace too', async () => {
    const { breaker, scheduler } = breakerFor('half-open-timer', {
      failMax: 1,
      resetTimeout: 10,
      maxHalfOpenWait: 50,
    });
    const { request } = await inRequest(async () => {
      await fail(breaker);
      // Both timers run while the request is still active: neither span may become the request's child.
      scheduler.maxFrames = 100;
      scheduler.flush();
    });

    const reopened = spansOf(sdk, 'half-open-timer')[2];
    expect(reopened && describeTransition(reopened)).toBe(
      'half-open → open (half_open_timeout, 1)',
    );
    expect(reopened?.parentSpanContext).toBeUndefined();
    expect(reopened?.spanContext().traceId).not.toBe(request.spanContext().traceId);
  });

  it('links to the manual open() too', async () => {
    const { breaker, scheduler } = breakerFor('link-manual');
    await breaker.open();
    scheduler.flush();

    const [opened, halfOpen] = spansOf(sdk, 'link-manual');
    expect(halfOpen?.links.map((link) => link.context.spanId)).toEqual([
      opened?.spanContext().spanId,
    ]);
  });
});

describe('transitions mirrored from another process', () => {
  it('produce no span here, and the half-open span that follows has nothing to link to', () => {
    const remote = new Subject<Transition>();
    const opened = memoryStore({ name: 'open', generation: 1, failCounter: 2, openedAt: 0 });
    const store: CircuitBreakerConfig['store'] = (storeContext) => {
      const local = opened(storeContext);
      remote.subscribe((transition) => storeContext.reportTransition(transition));
      return {
        get state() {
          return local.state;
        },
        settle: (now) => local.settle(now),
        acquire: (now) => local.acquire(now),
        release: (permit) => local.release(permit),
        recordSuccess: (permit, now, duration) => local.recordSuccess(permit, now, duration),
        recordFailure: (permit, now, duration, error) =>
          local.recordFailure(permit, now, duration, error),
        force: (to, now) => local.force(to, now),
        snapshot: (now) => local.snapshot(now),
        dispose: () => local.dispose(),
      };
    };
    const { breaker, scheduler } = breakerFor('mirrored', { store });
    const transitions: Transition[] = [];
    breaker.transition$.subscribe((transition) => transitions.push(transition));

    remote.next({ from: 'closed', to: 'open', reason: 'remote' });
    scheduler.flush();

    expect(transitions.map((t) => t.reason)).toEqual(['remote', 'reset_timeout']);
    const spans = spansOf(sdk, 'mirrored');
    expect(spans.map(describeTransition)).toEqual(['open → half-open (reset_timeout, 2)']);
    expect(spans[0]?.links).toEqual([]);
  });
});

describe('a rejected call', () => {
  it('adds a circuit_breaker.rejected event to the request span active when it was subscribed', async () => {
    const { breaker } = breakerFor('rejected-open');
    await breaker.open();

    const { request } = await inRequest(() => succeed(breaker));

    const requestSpan = sdk.spans
      .getFinishedSpans()
      .find((span) => span.spanContext().spanId === request.spanContext().spanId);
    expect(requestSpan?.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'circuit_breaker.rejected',
        { 'circuit_breaker.name': 'rejected-open', 'circuit_breaker.state': 'open' },
      ],
    ]);
  });

  it('says half-open when every trial slot was taken', async () => {
    const { breaker } = breakerFor('rejected-half-open');
    await breaker.halfOpen();
    const trial = breaker(NEVER).subscribe();

    const { request } = await inRequest(() => succeed(breaker));
    trial.unsubscribe();

    const requestSpan = sdk.spans
      .getFinishedSpans()
      .find((span) => span.spanContext().spanId === request.spanContext().spanId);
    expect(requestSpan?.events[0]?.attributes?.['circuit_breaker.state']).toBe('half-open');
  });

  it('outside any span adds nothing and still fails fast', async () => {
    const { breaker } = breakerFor('rejected-no-span');
    await breaker.open();
    sdk.spans.reset();

    await expect(firstValueFrom(breaker(of(1)))).rejects.toThrow(/still open/);
    expect(sdk.spans.getFinishedSpans()).toEqual([]);
  });
});

describe('with tracing turned off', () => {
  it('tracer: false produces no span and no rejected event', async () => {
    const { breaker } = breakerFor('tracing-off', { tracer: false });
    await fail(breaker);
    await fail(breaker);
    const { request } = await inRequest(() => succeed(breaker));

    expect(breaker.state).toBe('open');
    expect(spansOf(sdk, 'tracing-off')).toEqual([]);
    const requestSpan = sdk.spans
      .getFinishedSpans()
      .find((span) => span.spanContext().spanId === request.spanContext().spanId);
    expect(requestSpan?.events).toEqual([]);
  });

  it('a call through a breaker without telemetry still runs normally inside a request', async () => {
    const { breaker, scheduler } = breakerFor('tracing-off-values', {
      tracer: false,
      meter: false,
    });
    const values: number[] = [];
    await inRequest(async () => {
      const call = lastValueFrom(breaker(timer(5, scheduler)));
      scheduler.flush();
      values.push(await call);
    });
    expect(values).toEqual([0]);
  });
});
