import type { BreakerObserver, CallInfo } from '../breaker/BreakerObserver.js';
import type { CircuitBreakerEvent } from '../breaker/CircuitBreakerEvent.js';
import type { CircuitState } from '../core/CircuitState.js';
import { CallMetrics } from './CallMetrics.js';
import type { MeterLike } from './MeterLike.js';
import { openTelemetryApi } from './openTelemetryApi.js';
import type { TracerLike } from './TracerLike.js';
import { TransitionSpans } from './TransitionSpans.js';

/** The resolved telemetry options of one breaker: `false` is off. */
export interface TelemetryOptions {
  readonly name: string;
  readonly tracer: TracerLike | false;
  readonly meter: MeterLike | false;
}

/**
 * One breaker's OpenTelemetry instrumentation, as the one observer the breaker is given: spans and metrics,
 * each fed from the events alone.
 *
 * @example
 * ```ts
 * import { Breaker } from '../breaker/Breaker.js';
 * import { validateConfig } from '../config/validateConfig.js';
 * import { BreakerTelemetry } from './BreakerTelemetry.js';
 *
 * const config = validateConfig({ name: 'prices' });
 * const breaker = new Breaker(config, BreakerTelemetry.of(config));
 * ```
 */
export class BreakerTelemetry implements BreakerObserver {
  readonly observesCalls: boolean;

  private constructor(
    private readonly spans: TransitionSpans | undefined,
    private readonly metrics: CallMetrics | undefined,
  ) {
    // Spans come from failures, transitions and rejections: only metrics need the events of ordinary calls.
    this.observesCalls = metrics !== undefined;
  }

  /**
   * The instrumentation for these options; none when both tracing and metrics are off, so it costs nothing, and
   * the spans alone when metrics are off (the default until an SDK is registered: one object less per breaker).
   */
  static of({ name, tracer, meter }: TelemetryOptions): BreakerObserver | undefined {
    if (!meter) return tracer ? new TransitionSpans(name, tracer, openTelemetryApi()) : undefined;
    return new BreakerTelemetry(
      tracer ? new TransitionSpans(name, tracer, openTelemetryApi()) : undefined,
      meter ? new CallMetrics(name, meter) : undefined,
    );
  }

  captureContext(): unknown {
    return this.spans?.captureContext();
  }

  onStart(state: CircuitState): void {
    this.metrics?.onStart(state);
  }

  onEvent(event: CircuitBreakerEvent, call: CallInfo | undefined): void {
    // Each apart: a failing tracer must not cost the metrics (the breaker guards the whole against the rest).
    try {
      this.spans?.onEvent(event, call);
    } finally {
      this.metrics?.onEvent(event);
    }
  }

  onDispose(): void {
    this.metrics?.dispose();
  }
}
