import type { CircuitState } from '../core/CircuitState.js';
import type { CircuitBreakerEvent } from './CircuitBreakerEvent.js';

/** What the breaker knows about one call: when it was subscribed, and the observer's context captured then. */
export interface CallInfo {
  readonly startedAt: number;
  readonly context: unknown;
}

/**
 * An internal seam for instrumentation (OpenTelemetry): sees every event together with the call that caused it,
 * and captures its own context when a call is subscribed (by the time an async error arrives, the context that
 * was active at subscribe time is gone). A breaker has at most one; everything it needs comes with the events
 * (a transition carries its cause and the counters), so it never reads the breaker back.
 */
export interface BreakerObserver {
  /**
   * False when the observer ignores the events of ordinary calls (`'call'`, `'success'`, `'cancelled'`, a stale
   * success): the breaker then does not build them for it, which keeps the hot path free (default true).
   */
  readonly observesCalls?: boolean;
  /** Captures the observer's context when a call is subscribed (the tracer does; metrics need none). */
  captureContext?(): unknown;
  /** The state the breaker starts in, before any event. */
  onStart?(state: CircuitState): void;
  onEvent(event: CircuitBreakerEvent, call: CallInfo | undefined): void;
  /** The breaker was disposed: no event follows. */
  onDispose?(): void;
}
