// The page the Chromium spec loads (bundled by esbuild for the browser): the smoke test, then `fromFetch` calls
// to a flaky server through a breaker that reports to an OpenTelemetry SDK through the tracer and meter it is
// given (a browser has no default: see docs/RUNTIMES.md, "In the browser"). The spec reads `window.result`.
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { filter, firstValueFrom, switchMap } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { smoke } from './smoke.js';
import type { Library } from './smoke.js';

export async function runPage(library: Library): Promise<unknown> {
  return { smoke: await smoke(library), fetch: await fetchThroughBreaker(library) };
}

/** Two 500s trip the breaker, the next call is refused, and the trial after the reset timeout closes it. */
async function fetchThroughBreaker({ circuitBreaker, isCircuitBreakerError }: Library) {
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  }).getTracer('page');
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meter = new MeterProvider({ readers: [reader] }).getMeter('page');

  const breaker = circuitBreaker({ name: 'flaky', failMax: 2, resetTimeout: 1_000, tracer, meter });
  const transitions: string[] = [];
  breaker.transition$.subscribe(({ from, to, reason }) =>
    transitions.push(`${from} -> ${to} (${reason})`),
  );
  const getFlaky = () =>
    fromFetch('/flaky').pipe(
      switchMap((response) =>
        response.ok ? response.text() : Promise.reject(new Error(`HTTP ${response.status}`)),
      ),
      breaker,
    );
  const outcome = (call: Promise<string>) =>
    call.catch((error: unknown) => (isCircuitBreakerError(error) ? error.message : String(error)));

  const outcomes: string[] = [];
  // Only microtasks separate the trip from the third call: far less than the reset timeout, however slow.
  for (let i = 0; i < 3; i++) outcomes.push(await outcome(firstValueFrom(getFlaky())));
  await firstValueFrom(breaker.state$.pipe(filter((state) => state === 'half-open')));
  outcomes.push(await outcome(firstValueFrom(getFlaky())));

  await reader.forceFlush();
  const calls = exporter
    .getMetrics()[0]
    ?.scopeMetrics[0]?.metrics.find((metric) => metric.descriptor.name === 'circuit_breaker.calls');
  return {
    outcomes,
    transitions,
    spans: spans.getFinishedSpans().map((span) => span.attributes['circuit_breaker.reason']),
    calls: Object.fromEntries(
      (calls?.dataPoints ?? []).map((point) => [
        point.attributes['circuit_breaker.outcome'],
        point.value,
      ]),
    ),
  };
}
