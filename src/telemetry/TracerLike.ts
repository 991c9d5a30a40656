import type { AttributesLike } from './AttributesLike.js';

/**
 * The part of an OpenTelemetry `Tracer` a breaker uses. A `Tracer` from `@opentelemetry/api` fits it, so this
 * package's public types do not depend on `@opentelemetry/api` (an optional peer dependency).
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { circuitBreaker } from 'rxjs-circuit-breaker';
 *
 * const breaker = circuitBreaker({ name: 'prices', tracer: trace.getTracer('prices-service') });
 * ```
 * @public
 */
export interface TracerLike {
  /**
   * Starts a span.
   *
   * @param name - The span name.
   * @param options - Attributes, links, and `root` for a span without a parent.
   * @param context - The OpenTelemetry `Context` whose span becomes the parent; the active one when omitted.
   */
  startSpan(name: string, options?: SpanOptionsLike, context?: unknown): SpanLike;
}

/**
 * The span options a breaker passes to {@link TracerLike.startSpan}.
 *
 * @public
 */
export interface SpanOptionsLike {
  readonly attributes?: AttributesLike;
  // Mutable like OpenTelemetry's `SpanOptions.links`, so a real `Tracer` stays assignable to `TracerLike`.
  readonly links?: SpanLinkLike[];
  /** Start a new trace, ignoring the parent context. */
  readonly root?: boolean;
}

/**
 * A link from one span to another (OpenTelemetry's `Link`).
 *
 * @public
 */
export interface SpanLinkLike {
  readonly context: SpanContextLike;
}

/**
 * What identifies a span (OpenTelemetry's `SpanContext`).
 *
 * @public
 */
export interface SpanContextLike {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/**
 * The part of an OpenTelemetry `Span` a breaker uses.
 *
 * @public
 */
export interface SpanLike {
  spanContext(): SpanContextLike;
  /** False for the spans of a no-op tracer and for unsampled spans: then nothing is worth adding. */
  isRecording(): boolean;
  addEvent(name: string, attributes?: AttributesLike): unknown;
  recordException(exception: Error | string): void;
  end(): void;
}
