import type { AttributesLike } from './AttributesLike.js';

/**
 * The part of an OpenTelemetry `Meter` a breaker uses. A `Meter` from `@opentelemetry/api` fits it, so this
 * package's public types do not depend on `@opentelemetry/api` (an optional peer dependency).
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * import { circuitBreaker } from 'rxjs-circuit-breaker';
 *
 * const breaker = circuitBreaker({ name: 'prices', meter: metrics.getMeter('prices-service') });
 * ```
 * @public
 */
export interface MeterLike {
  createCounter(name: string, options?: InstrumentOptionsLike): CounterLike;
  createHistogram(name: string, options?: InstrumentOptionsLike): HistogramLike;
  createObservableGauge(name: string, options?: InstrumentOptionsLike): ObservableGaugeLike;
}

/**
 * How a breaker describes an instrument (OpenTelemetry's `MetricOptions`).
 *
 * @public
 */
export interface InstrumentOptionsLike {
  readonly description?: string;
  /** UCUM unit: `s`, `1`, or an annotation such as `{call}`. */
  readonly unit?: string;
  // Mutable like OpenTelemetry's `MetricAdvice`, so a real `Meter` stays assignable to `MeterLike`.
  readonly advice?: { explicitBucketBoundaries?: number[] };
}

/**
 * A monotonic sum (OpenTelemetry's `Counter`).
 *
 * @public
 */
export interface CounterLike {
  add(value: number, attributes?: AttributesLike): void;
}

/**
 * A distribution of values (OpenTelemetry's `Histogram`).
 *
 * @public
 */
export interface HistogramLike {
  record(value: number, attributes?: AttributesLike): void;
}

/**
 * A gauge read when metrics are collected (OpenTelemetry's `ObservableGauge`).
 *
 * @public
 */
export interface ObservableGaugeLike {
  addCallback(callback: (result: ObservableResultLike) => void): void;
  removeCallback(callback: (result: ObservableResultLike) => void): void;
}

/**
 * Where an observable gauge's callback reports its values (OpenTelemetry's `ObservableResult`).
 *
 * @public
 */
export interface ObservableResultLike {
  observe(value: number, attributes?: AttributesLike): void;
}
