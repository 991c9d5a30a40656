// Registers the real OpenTelemetry SDK globally, as an application does at startup, with in-memory exporters the
// specs read. Vitest runs each spec file in its own process (pool: forks), so one registration per file is enough.
// bench/telemetryBench.ts measures a breaker under this same SDK.
import { context, metrics, trace } from '@opentelemetry/api';
import type { Attributes, ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { DataPoint, MetricData } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface TelemetrySdk {
  /** Spans ended so far (SimpleSpanProcessor exports each one as it ends). */
  readonly spans: InMemorySpanExporter;
  /** The AsyncLocalStorage context manager it registered. */
  readonly contextManager: ContextManager;
  /** Collects every metric now and returns the one named `name` that `scope` (a meter's name) reports. */
  collect(name: string, scope?: string): Promise<MetricData | undefined>;
  /** Shuts the providers down and unregisters all it registered, for a process that goes on without it. */
  shutdown(): Promise<void>;
}

/** Registers tracing, metrics and an AsyncLocalStorage context manager globally. */
export function registerTelemetrySdk(): TelemetrySdk {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval never fires during a spec: metrics are exported on demand by forceFlush().
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    spans,
    contextManager,
    collect: async (name, scope = 'rxjs-circuit-breaker') => {
      exporter.reset();
      await reader.forceFlush();
      return exporter
        .getMetrics()
        .flatMap((resource) => resource.scopeMetrics)
        .filter((scopeMetrics) => scopeMetrics.scope.name === scope)
        .flatMap((scopeMetrics) => scopeMetrics.metrics)
        .find((metric) => metric.descriptor.name === name);
    },
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}

/** The spans of one breaker (specs name each breaker after the test). */
export function spansOf(sdk: TelemetrySdk, breakerName: string): ReadableSpan[] {
  return sdk.spans
    .getFinishedSpans()
    .filter((span) => span.attributes['circuit_breaker.name'] === breakerName);
}

/** The data points of one breaker in a collected metric. */
export function pointsOf<T>(metric: MetricData | undefined, breakerName: string): DataPoint<T>[] {
  const points = (metric?.dataPoints ?? []) as DataPoint<T>[];
  return points.filter((point) => point.attributes['circuit_breaker.name'] === breakerName);
}

/** A data point's attributes without the breaker name, for compact expectations. */
export function withoutName(attributes: Attributes): Attributes {
  const { ['circuit_breaker.name']: _name, ...rest } = attributes;
  return rest;
}
