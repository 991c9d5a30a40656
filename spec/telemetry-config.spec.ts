import * as api from '@opentelemetry/api';
import { metrics, trace } from '@opentelemetry/api';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import type { CircuitBreakerConfig, MeterLike, TracerLike } from '../src/index.js';
import type { OpenTelemetryApiLike } from '../src/telemetry/openTelemetryApi.js';

/** Passes a value the types forbid, as JavaScript callers can. */
function withOption(option: string, value: unknown): CircuitBreakerConfig {
  return { [option]: value };
}

describe('the tracer and meter options', () => {
  it.each([
    [
      'tracer',
      {},
      TypeError,
      'Tracer (with startSpan), or false to turn tracing off, received an object',
    ],
    ['tracer', null, TypeError, 'received null'],
    ['tracer', true, TypeError, 'received true'],
    ['tracer', 'otel', TypeError, 'received "otel"'],
    ['meter', { createCounter: () => undefined }, TypeError, 'createHistogram'],
    ['meter', 42, TypeError, 'or false to turn metrics off, received 42'],
  ])('%s: %o is refused with a clear error', (option, value, kind, message) => {
    const create = () => circuitBreaker(withOption(option, value));
    expect(create).toThrow(kind);
    expect(create).toThrow(`circuitBreaker: "${option}" must be an OpenTelemetry`);
    expect(create).toThrow(message);
  });

  it('suggests the right spelling of a mistyped option', () => {
    expect(() => circuitBreaker(withOption('Tracer', false))).toThrow(
      'unknown option "Tracer" (did you mean "tracer"?)',
    );
  });

  it('accepts the real OpenTelemetry tracer and meter, and false', () => {
    // Checked by tsc (npm run typecheck): our structural types fit the real API objects.
    expectTypeOf(trace.getTracer('app', '1.0.0')).toExtend<TracerLike>();
    expectTypeOf(metrics.getMeter('app', '1.0.0')).toExtend<MeterLike>();
    expectTypeOf(api).toExtend<OpenTelemetryApiLike>();
    expect(() =>
      circuitBreaker({ tracer: trace.getTracer('app'), meter: metrics.getMeter('app') }),
    ).not.toThrow();
    expect(() => circuitBreaker({ tracer: false, meter: false })).not.toThrow();
  });
});
