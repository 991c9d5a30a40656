import type { BreakerObserver, CallInfo } from '../breaker/BreakerObserver.js';
import type {
  CircuitBreakerEvent,
  RejectedEvent,
  TransitionEvent,
} from '../breaker/CircuitBreakerEvent.js';
import type { OpenTelemetryApiLike } from './openTelemetryApi.js';
import { telemetryNames } from './telemetryNames.js';
import type { SpanContextLike, SpanLinkLike, TracerLike } from './TracerLike.js';

const { attributes } = telemetryNames;

/** The transitions a breaker's timer makes: without a call, their spans start new traces. */
const timerReasons: ReadonlySet<string> = new Set(['reset_timeout', 'half_open_timeout']);

/**
 * Traces a breaker: one span per transition it makes, and an event on the caller's span for each rejected call.
 *
 * @remarks
 * A transition caused by a call is a child of the context captured when that call was subscribed (by the time
 * an async error arrives, the context active then is gone) and records the call's error as an exception event.
 * The timer-driven spans (open → half-open, and half-open → open after `maxHalfOpenWait`) are new traces; the
 * first is linked to the span of the transition that opened the circuit. Transitions mirrored from another
 * process (reason `'remote'`) are that process's to report.
 *
 * On the hot path (calls that change nothing) the only work is capturing the active context: the breaker
 * builds no events for successful calls on its account (`observesCalls`). Without `@opentelemetry/api` (a
 * tracer of the user's own), nothing is captured: spans then have the tracer's own idea of a parent.
 */
export class TransitionSpans implements BreakerObserver {
  /** The span that opened the circuit: the open → half-open span links to it. */
  private openedBy?: SpanContextLike;

  /** Spans come from failures, transitions and rejections: the events of ordinary calls are not needed. */
  readonly observesCalls = false;

  constructor(
    private readonly name: string,
    private readonly tracer: TracerLike,
    private readonly api: OpenTelemetryApiLike | undefined,
  ) {}

  captureContext(): unknown {
    return this.api?.context.active();
  }

  onEvent(event: CircuitBreakerEvent, call: CallInfo | undefined): void {
    if (event.type === 'transition') {
      this.traceTransition(event, call);
    } else if (event.type === 'rejected') {
      this.markRejected(event, call);
    }
  }

  private traceTransition(event: TransitionEvent, call: CallInfo | undefined): void {
    if (event.reason === 'remote') {
      this.openedBy = undefined;
      return;
    }
    const timerDriven = call === undefined && timerReasons.has(event.reason);
    const span = this.tracer.startSpan(
      telemetryNames.stateChangeSpan,
      // A timer inherits the context of whatever scheduled it (the tripping request): a new trace, not a child.
      { attributes: this.transitionAttributes(event), links: this.links(event), root: timerDriven },
      call?.context,
    );
    if (event.cause !== undefined) span.recordException(asException(event.cause));
    // Read before end(): an ended span no longer records, and an unrecorded span is nothing to link to.
    this.openedBy = event.to === 'open' && span.isRecording() ? span.spanContext() : undefined;
    span.end();
  }

  private transitionAttributes(event: TransitionEvent) {
    const { from, to, reason, failCounter, failureRate, slowCallRate } = event;
    const common = {
      [attributes.name]: this.name,
      [attributes.previousState]: from,
      [attributes.state]: to,
      [attributes.reason]: reason,
      [attributes.failureCount]: failCounter,
    };
    // A rate trip says what the window's rates were.
    if (failureRate === undefined || slowCallRate === undefined) return common;
    return {
      ...common,
      [attributes.failureRate]: failureRate,
      [attributes.slowCallRate]: slowCallRate,
    };
  }

  private links(event: TransitionEvent): SpanLinkLike[] | undefined {
    return event.reason === 'reset_timeout' && this.openedBy
      ? [{ context: this.openedBy }]
      : undefined;
  }

  private markRejected(event: RejectedEvent, call: CallInfo | undefined): void {
    if (call === undefined || !this.api) return;
    const span = this.api.trace.getSpan(call.context);
    if (!span?.isRecording()) return;
    span.addEvent(telemetryNames.rejectedEvent, {
      [attributes.name]: this.name,
      [attributes.state]: event.state,
    });
  }
}

/**
 * What `recordException` accepts: errors as they are; an error-like object (Angular's `HttpErrorResponse` is no
 * `Error`) by its `name`, `message` and `stack`, so the span keeps `exception.type`; anything else by its text.
 */
function asException(error: unknown): Error | string {
  if (error instanceof Error || typeof error === 'string') return error;
  try {
    const { name, message, stack } = (error ?? {}) as Partial<Record<string, unknown>>;
    if (typeof message !== 'string') return String(error);
    return {
      name: typeof name === 'string' ? name : 'Error',
      message,
      ...(typeof stack === 'string' ? { stack } : {}),
    };
  } catch {
    return 'unprintable error'; // an object without a prototype, or whose getter throws
  }
}
