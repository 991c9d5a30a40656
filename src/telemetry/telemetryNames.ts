/**
 * Every name this package reports to OpenTelemetry. They are a public contract (dashboards and alerts query
 * them), documented in the README's "Observability" section: change them only in a major release.
 */
export const telemetryNames = {
  /** The tracer's and meter's instrumentation scope. */
  scope: 'rxjs-circuit-breaker',
  stateChangeSpan: 'circuit_breaker.state_change',
  rejectedEvent: 'circuit_breaker.rejected',
  callsCounter: 'circuit_breaker.calls',
  durationHistogram: 'circuit_breaker.call.duration',
  slowCallsCounter: 'circuit_breaker.slow_calls',
  stateGauge: 'circuit_breaker.state',
  attributes: {
    name: 'circuit_breaker.name',
    previousState: 'circuit_breaker.state.previous',
    state: 'circuit_breaker.state',
    failureCount: 'circuit_breaker.failure_count',
    reason: 'circuit_breaker.reason',
    failureRate: 'circuit_breaker.failure_rate',
    slowCallRate: 'circuit_breaker.slow_call_rate',
    outcome: 'circuit_breaker.outcome',
  },
} as const;

/** The values of `circuit_breaker.outcome` on `circuit_breaker.calls` and `circuit_breaker.call.duration`. */
export type CallOutcome = 'success' | 'failure' | 'excluded' | 'ignored' | 'rejected' | 'cancelled';
