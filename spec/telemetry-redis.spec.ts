// With a shared store, only the process that makes a transition reports it: the others mirror it (reason
// 'remote') without a span. Three breakers of one name, each on its own Redis connection as separate processes
// would be, report to one SDK here, so the exporter holds every span of the whole fleet.
import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import type { CircuitBreaker, Transition } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { close, connect, fail, recordEvents, succeed, waitFor } from './support/redisClients.js';
import { startRedisServer } from './support/redisServer.js';
import type { RedisServer } from './support/redisServer.js';
import { registerTelemetrySdk, spansOf } from './support/telemetrySdk.js';
import { useCleanups } from './support/useCleanups.js';

const sdk = registerTelemetrySdk();
const requests = trace.getTracer('spec-http-server');

let server: RedisServer;
const cleanups = useCleanups();
let fleetCount = 0;

beforeAll(async () => {
  server = await startRedisServer();
});

beforeEach(() => sdk.spans.reset());

afterAll(async () => {
  await server.stop();
});

/** `count` breakers named alike, each on its own client; a fresh name and namespace per test. */
function fleet(count: number, failMax = 3): { name: string; breakers: CircuitBreaker[] } {
  fleetCount += 1;
  const name = `fleet-${fleetCount}`;
  const breakers = Array.from({ length: count }, () => {
    const redis = connect(server.port);
    const store = redisStore(redis, { namespace: `telemetry${fleetCount}` });
    const breaker = circuitBreaker({ name, failMax, resetTimeout: 60_000, store });
    cleanups.push(() => {
      breaker.dispose();
      close(redis);
    });
    return breaker;
  });
  return { name, breakers };
}

/** Runs `body` inside a request span and ends the span after it. */
function inRequest<T>(body: () => Promise<T>): Promise<Span> {
  return requests.startActiveSpan('POST /pay', async (request) => {
    await body().catch(() => undefined);
    request.end();
    return request;
  });
}

function reasons(transitions: readonly Transition[]): string[] {
  return transitions.map(({ from, to, reason }) => `${from} → ${to} (${reason})`);
}

describe('with the Redis store', () => {
  it('one fleet-wide trip produces exactly one span in total, in the request that tripped it', async () => {
    const { name, breakers } = fleet(3);
    const [a, b, c] = breakers as [CircuitBreaker, CircuitBreaker, CircuitBreaker];
    const recorders = breakers.map(recordEvents);
    await Promise.all(breakers.map(succeed));

    await inRequest(() => fail(a, new Error('card processor down')));
    await inRequest(() => fail(b, new Error('card processor down')));
    const tripping = await inRequest(() => fail(c, new Error('card processor timeout')));
    await waitFor(
      () => breakers.every((breaker) => breaker.state === 'open'),
      5000,
      'open everywhere',
    );

    expect(recorders.flatMap((recorder) => reasons(recorder.transitions())).sort()).toEqual([
      'closed → open (failure_threshold)',
      'closed → open (remote)',
      'closed → open (remote)',
    ]);
    const spans = spansOf(sdk, name);
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({
      'circuit_breaker.reason': 'failure_threshold',
      'circuit_breaker.state.previous': 'closed',
      'circuit_breaker.state': 'open',
      'circuit_breaker.failure_count': 3,
    });
    expect(spans[0]?.parentSpanContext?.spanId).toBe(tripping.spanContext().spanId);
    expect(spans[0]?.events[0]?.attributes?.['exception.message']).toBe('card processor timeout');
  });

  it('a breaker that only mirrors the open state still marks the requests it refuses', async () => {
    const { breakers } = fleet(2, 1);
    const [a, b] = breakers as [CircuitBreaker, CircuitBreaker];
    await Promise.all(breakers.map(succeed));
    await fail(a);
    await waitFor(() => b.state === 'open', 10_000, 'open on b');

    const refused = await inRequest(() => succeed(b));

    const requestSpan = sdk.spans
      .getFinishedSpans()
      .find((span) => span.spanContext().spanId === refused.spanContext().spanId);
    expect(requestSpan?.events.map((event) => event.name)).toEqual(['circuit_breaker.rejected']);
  });

  it('a manual open() on one breaker is one span for the whole fleet', async () => {
    const { name, breakers } = fleet(3);
    const recorders = breakers.map(recordEvents);
    await Promise.all(breakers.map(succeed));

    await breakers[1]?.open();
    await waitFor(
      () => breakers.every((breaker) => breaker.state === 'open'),
      5000,
      'open everywhere',
    );

    expect(recorders.flatMap((recorder) => reasons(recorder.transitions())).sort()).toEqual([
      'closed → open (manual)',
      'closed → open (remote)',
      'closed → open (remote)',
    ]);
    expect(spansOf(sdk, name).map((span) => span.attributes['circuit_breaker.reason'])).toEqual([
      'manual',
    ]);
  });
});
