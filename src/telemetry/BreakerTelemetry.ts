import type { BreakerObserver } from '../breaker/BreakerObserver.js';
import type { BreakerView } from './BreakerView.js';
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
 * One breaker's OpenTelemetry instrumentation: the observers to hand to the `Breaker`, then `attach` the breaker
 * they read the state from.
 *
 * @example
 * ```ts
 * import { Breaker } from '../breaker/Breaker.js';
 * import { validateConfig } from '../config/validateConfig.js';
 * import { BreakerTelemetry } from './BreakerTelemetry.js';
 *
 * const config = validateConfig({ name: 'prices' });
 * const telemetry = new BreakerTelemetry(config);
 * const breaker = new Breaker(config, telemetry.observers);
 * telemetry.attach(breaker);
 * ```
 */
export class BreakerTelemetry {
  /** Empty when both tracing and metrics are off, so a breaker without telemetry pays nothing for it. */
  readonly observers: readonly BreakerObserver[];
  private readonly metrics?: CallMetrics;
  private breaker?: BreakerView;

  constructor({ name, tracer, meter }: TelemetryOptions) {
    const view = () => this.breaker;
    const spans = tracer ? new TransitionSpans(name, tracer, openTelemetryApi(), view) : undefined;
    this.metrics = meter ? new CallMetrics(name, meter, view) : undefined;
    this.observers = [spans, this.metrics].filter((observer) => observer !== undefined);
  }

  /** Gives the observers the breaker whose state and failure counter they report. */
  attach(breaker: BreakerView): void {
    this.breaker = breaker;
  }

  /** Stops reporting (the breaker was disposed). */
  detach(): void {
    this.breaker = undefined;
    this.metrics?.dispose();
  }
}
