import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { NEVER, Subject, VirtualTimeScheduler, of, switchMap, throwError, timer } from 'rxjs';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, circuitStates } from '../src/index.js';
import type { CircuitBreakerConfig, CircuitState } from '../src/index.js';
import { pointsOf, registerTelemetrySdk, withoutName } from './support/telemetrySdk.js';

const sdk = registerTelemetrySdk();

function breakerFor(name: string, config: CircuitBreakerConfig = {}) {
  const scheduler = new VirtualTimeScheduler();
  const breaker = circuitBreaker({ name, failMax: 5, resetTimeout: 1000, scheduler, ...config });
  return { breaker, scheduler };
}

/** Subscribes once and swallows the outcome: these specs read metrics, not values. */
function run(call: Observable<unknown>): void {
  call.subscribe({ error: () => undefined });
}

/** A call that takes `ms` virtual milliseconds, then ends as `end` does. */
function after<T>(ms: number, scheduler: VirtualTimeScheduler, end: Observable<T>): Observable<T> {
  return timer(ms, scheduler).pipe(switchMap(() => end));
}

/** A counter's points of one breaker, by outcome. */
async function countsByOutcome(
  metric: string,
  breakerName: string,
): Promise<Record<string, number>> {
  const points = pointsOf<number>(await sdk.collect(metric), breakerName);
  return Object.fromEntries(
    points.map((point) => [String(point.attributes['circuit_breaker.outcome']), point.value]),
  );
}

const callsByOutcome = (breakerName: string) =>
  countsByOutcome('circuit_breaker.calls', breakerName);

async function durationsByOutcome(breakerName: string) {
  const points = pointsOf<Histogram>(
    await sdk.collect('circuit_breaker.call.duration'),
    breakerName,
  );
  return Object.fromEntries(
    points.map((point) => [
      String(point.attributes['circuit_breaker.outcome']),
      { count: point.value.count, sum: point.value.sum },
    ]),
  );
}

async function stateSeries(breakerName: string) {
  const points = pointsOf<number>(await sdk.collect('circuit_breaker.state'), breakerName);
  return points.map((point) => ({ ...withoutName(point.attributes), value: point.value }));
}

class NotFound extends Error {}

describe('circuit_breaker.calls', () => {
  it('counts every call by outcome: success, failure, excluded, rejected, cancelled', async () => {
    const { breaker } = breakerFor('outcomes', { exclude: [NotFound], failMax: 3 });
    run(breaker(of(1)));
    run(breaker(of(2)));
    run(breaker(throwError(() => new NotFound())));
    run(breaker(throwError(() => new Error('down'))));
    breaker(NEVER).subscribe().unsubscribe();
    run(breaker(throwError(() => new Error('down'))));
    run(breaker(throwError(() => new Error('down'))));
    run(breaker(of(3)));
    run(breaker(of(4)));

    expect(await callsByOutcome('outcomes')).toEqual({
      success: 2,
      excluded: 1,
      failure: 3,
      cancelled: 1,
      rejected: 2,
    });
  });

  it('describes itself with a unit in the semantic-convention style', async () => {
    const { breaker } = breakerFor('calls-descriptor');
    run(breaker(of(1)));

    const metric = await sdk.collect('circuit_breaker.calls');
    expect(metric?.descriptor).toMatchObject({ name: 'circuit_breaker.calls', unit: '{call}' });
    expect(pointsOf(metric, 'calls-descriptor')[0]?.attributes).toEqual({
      'circuit_breaker.name': 'calls-descriptor',
      'circuit_breaker.outcome': 'success',
    });
  });

  it('counts a stale outcome (one that arrived after the circuit changed state) by what it was', async () => {
    const { breaker } = breakerFor('stale', { failMax: 1 });
    const slowSuccess = new Subject<never>();
    const slowFailure = new Subject<never>();
    run(breaker(slowSuccess));
    run(breaker(slowFailure));
    run(breaker(throwError(() => new Error('trips it'))));
    expect(breaker.state).toBe('open');

    slowSuccess.complete();
    slowFailure.error(new Error('late'));

    expect(breaker.state).toBe('open');
    expect(await callsByOutcome('stale')).toEqual({ success: 1, failure: 2 });
  });
});

describe('circuit_breaker.call.duration', () => {
  it('records how long each call took, in seconds, by outcome; rejected calls are not recorded', async () => {
    const { breaker, scheduler } = breakerFor('durations', { exclude: [NotFound] });
    run(breaker(after(250, scheduler, of(1))));
    run(breaker(after(500, scheduler, of(2))));
    run(
      breaker(
        after(
          40,
          scheduler,
          throwError(() => new NotFound()),
        ),
      ),
    );
    scheduler.flush();
    const cancelled = breaker(NEVER).subscribe();
    scheduler.schedule(() => cancelled.unsubscribe(), 100);
    scheduler.flush();
    run(
      breaker(
        after(
          1500,
          scheduler,
          throwError(() => new Error('slow and failing')),
        ),
      ),
    );
    run(
      breaker(
        after(
          3000,
          scheduler,
          throwError(() => new Error('slower')),
        ),
      ),
    );
    scheduler.flush();
    void breaker.open();
    run(breaker(of(3)));

    expect(await durationsByOutcome('durations')).toEqual({
      success: { count: 2, sum: 0.75 },
      excluded: { count: 1, sum: 0.04 },
      cancelled: { count: 1, sum: 0.1 },
      failure: { count: 2, sum: 4.5 },
    });
  });

  it('has unit s and bucket boundaries for seconds', async () => {
    const { breaker } = breakerFor('duration-descriptor');
    run(breaker(of(1)));

    const metric = await sdk.collect('circuit_breaker.call.duration');
    expect(metric?.descriptor).toMatchObject({ name: 'circuit_breaker.call.duration', unit: 's' });
    const [point] = pointsOf<Histogram>(metric, 'duration-descriptor');
    expect(point?.value.buckets.boundaries).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ]);
  });
});

describe('slow and ignored calls', () => {
  /** Calls over 10 ms are slow; the rule never trips in these tests. */
  const slowCallsTracked = {
    slowCallRate: 1,
    slowCallDuration: 10,
    minimumCalls: 100,
    window: { calls: 100 },
  };
  /** A call of 20 ms (slow) that succeeds, or fails. */
  const slowCall = (scheduler: VirtualTimeScheduler, fails = false) =>
    after(20, scheduler, fails ? throwError(() => new Error('slow and down')) : of('slow'));

  it('counts errors `ignore` names as ignored, and slow calls on circuit_breaker.slow_calls by outcome', async () => {
    const { breaker, scheduler } = breakerFor('slow-ignored', {
      ignore: [NotFound],
      ...slowCallsTracked,
    });
    run(breaker(throwError(() => new NotFound())));
    run(breaker(slowCall(scheduler)));
    run(breaker(slowCall(scheduler, true)));
    run(breaker(after(5, scheduler, of('fast'))));
    scheduler.flush();

    expect(await callsByOutcome('slow-ignored')).toEqual({ ignored: 1, success: 2, failure: 1 });
    expect(await countsByOutcome('circuit_breaker.slow_calls', 'slow-ignored')).toEqual({
      success: 1,
      failure: 1,
    });
  });

  it('counts a slow stale outcome (one that arrived after a trip) on circuit_breaker.slow_calls', async () => {
    const { breaker, scheduler } = breakerFor('slow-stale', { failMax: 1, ...slowCallsTracked });
    run(breaker(slowCall(scheduler)));
    run(breaker(slowCall(scheduler, true)));
    run(breaker(throwError(() => new Error('trips it'))));
    expect(breaker.state).toBe('open');
    scheduler.flush();

    expect(await callsByOutcome('slow-stale')).toEqual({ success: 1, failure: 2 });
    expect(await countsByOutcome('circuit_breaker.slow_calls', 'slow-stale')).toEqual({
      success: 1,
      failure: 1,
    });
  });
});

describe('circuit_breaker.state', () => {
  it('reports one series per state, 1 for the current one', async () => {
    const { breaker, scheduler } = breakerFor('gauge', { failMax: 1 });
    const series = (current: CircuitState) =>
      circuitStates.map((state) => ({
        'circuit_breaker.state': state,
        value: state === current ? 1 : 0,
      }));

    expect(await stateSeries('gauge')).toEqual(series('closed'));
    run(breaker(throwError(() => new Error('down'))));
    expect(await stateSeries('gauge')).toEqual(series('open'));
    scheduler.flush();
    expect(await stateSeries('gauge')).toEqual(series('half-open'));
    run(breaker(of('trial')));
    expect(await stateSeries('gauge')).toEqual(series('closed'));
    await breaker.isolate();
    expect(await stateSeries('gauge')).toEqual(series('isolated'));
    await breaker.disable();
    expect(await stateSeries('gauge')).toEqual(series('disabled'));
  });

  it('has unit 1', async () => {
    breakerFor('gauge-descriptor');
    const metric = await sdk.collect('circuit_breaker.state');
    expect(metric?.descriptor).toMatchObject({ name: 'circuit_breaker.state', unit: '1' });
    expect(pointsOf(metric, 'gauge-descriptor')).toHaveLength(circuitStates.length);
  });

  it('reports 0 for every state once the breaker is disposed, then stops reporting it', async () => {
    // A delta reader shows exactly what was observed at each collection.
    const reader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.DELTA),
      exportIntervalMillis: 3_600_000,
    });
    const meter = new MeterProvider({ readers: [reader] }).getMeter('delta');
    const observed = async () => {
      const { resourceMetrics } = await reader.collect();
      const gauge = resourceMetrics.scopeMetrics[0]?.metrics.find(
        (metric) => metric.descriptor.name === 'circuit_breaker.state',
      );
      return pointsOf<number>(gauge, 'gauge-disposed').map((point) => point.value);
    };
    const { breaker } = breakerFor('gauge-disposed', { meter, failMax: 1 });
    run(breaker(throwError(() => new Error('down'))));
    expect((await observed()).sort()).toEqual([0, 0, 0, 0, 1]);

    breaker.dispose();

    expect(await observed()).toEqual([0, 0, 0, 0, 0]);
    expect(await observed()).toEqual([]);
  });

  it('leaves a cumulative exporter showing a disposed open breaker as not open', async () => {
    const { breaker } = breakerFor('gauge-disposed-open', { failMax: 1 });
    run(breaker(throwError(() => new Error('down'))));
    expect(await stateSeries('gauge-disposed-open')).toContainEqual({
      'circuit_breaker.state': 'open',
      value: 1,
    });

    breaker.dispose();
    await stateSeries('gauge-disposed-open');

    expect(await stateSeries('gauge-disposed-open')).not.toContainEqual({
      'circuit_breaker.state': 'open',
      value: 1,
    });
  });
});

describe('with metrics turned off', () => {
  it('meter: false records nothing for the breaker', async () => {
    const { breaker } = breakerFor('metrics-off', { meter: false, failMax: 1 });
    run(breaker(of(1)));
    run(breaker(throwError(() => new Error('down'))));
    run(breaker(of(2)));

    expect(breaker.state).toBe('open');
    expect(await callsByOutcome('metrics-off')).toEqual({});
    expect(await stateSeries('metrics-off')).toEqual([]);
  });

  it('meter given in the config is used instead of the global one', async () => {
    const meter = metrics.getMeter('orders-service');
    const { breaker } = breakerFor('own-meter', { meter });
    run(breaker(of(1)));

    const metric = await sdk.collect('circuit_breaker.calls', 'orders-service');
    expect(pointsOf(metric, 'own-meter')).toHaveLength(1);
    expect(pointsOf(await sdk.collect('circuit_breaker.calls'), 'own-meter')).toEqual([]);
  });
});
