import type { CircuitBreakerEvent } from '../breaker/CircuitBreakerEvent.js';
import { circuitStates } from '../core/CircuitState.js';
import type { CircuitState } from '../core/CircuitState.js';
import type { AttributesLike } from './AttributesLike.js';
import type {
  CounterLike,
  HistogramLike,
  MeterLike,
  ObservableGaugeLike,
  ObservableResultLike,
} from './MeterLike.js';
import type { CallOutcome } from './telemetryNames.js';
import { telemetryNames } from './telemetryNames.js';

const { attributes } = telemetryNames;
const outcomes: readonly CallOutcome[] = [
  'success',
  'failure',
  'excluded',
  'ignored',
  'rejected',
  'cancelled',
];

/** The bucket boundaries OpenTelemetry's semantic conventions advise for request durations, in seconds. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * Counts a breaker's calls by outcome, records how long they took, and reports its state as a gauge.
 *
 * @remarks
 * Attribute sets are built once per breaker, so recording a call allocates nothing here.
 */
export class CallMetrics {
  private readonly calls: CounterLike;
  private readonly slowCalls: CounterLike;
  private readonly duration: HistogramLike;
  private readonly state: ObservableGaugeLike;
  private readonly outcomeAttributes: Readonly<Record<CallOutcome, AttributesLike>>;
  private readonly stateAttributes: Readonly<Record<CircuitState, AttributesLike>>;
  /** The state the transitions have brought the breaker to; undefined once it is disposed. */
  private current?: CircuitState;
  private disposed = false;
  private readonly observeState = (result: ObservableResultLike) => {
    const current = this.current;
    for (const state of circuitStates) {
      result.observe(state === current ? 1 : 0, this.stateAttributes[state]);
    }
    // A disposed breaker reports 0 for every state once, so that a cumulative exporter, which repeats a
    // gauge's last values, does not show it open forever. Removed after this collection's pass over the
    // callbacks, not during it.
    if (this.disposed) queueMicrotask(() => this.state.removeCallback(this.observeState));
  };

  constructor(name: string, meter: MeterLike) {
    this.calls = meter.createCounter(telemetryNames.callsCounter, {
      description: 'Calls through the circuit breaker, by outcome.',
      unit: '{call}',
    });
    this.slowCalls = meter.createCounter(telemetryNames.slowCallsCounter, {
      description:
        'Slow calls through the circuit breaker (slower than slowCallDuration), by outcome; tracked with slowCallRate.',
      unit: '{call}',
    });
    this.duration = meter.createHistogram(telemetryNames.durationHistogram, {
      description:
        'How long calls through the circuit breaker took (rejected calls are not recorded).',
      unit: 's',
      advice: { explicitBucketBoundaries: durationBuckets },
    });
    this.state = meter.createObservableGauge(telemetryNames.stateGauge, {
      description: 'The circuit breaker state: 1 for the current state, 0 for the others.',
      unit: '1',
    });
    this.outcomeAttributes = attributesBy(outcomes, (outcome) => ({
      [attributes.name]: name,
      [attributes.outcome]: outcome,
    }));
    this.stateAttributes = attributesBy(circuitStates, (state) => ({
      [attributes.name]: name,
      [attributes.state]: state,
    }));
    this.state.addCallback(this.observeState);
  }

  /** The state the breaker starts in. */
  onStart(state: CircuitState): void {
    this.current = state;
  }

  onEvent(event: CircuitBreakerEvent): void {
    switch (event.type) {
      case 'transition':
        this.current = event.to;
        return;
      case 'success':
        return this.record('error' in event ? 'excluded' : 'success', event.duration, event.slow);
      case 'failure':
        return this.record('failure', event.duration, event.slow);
      case 'neutral':
        return this.record('ignored', event.duration);
      case 'ignored':
        // A stale outcome still was a call: it counts by what happened to it, though it moved no state.
        if (event.outcome === 'failure') return this.record('failure', event.duration, event.slow);
        return this.record('error' in event ? 'excluded' : 'success', event.duration, event.slow);
      case 'cancelled':
        return this.record('cancelled', event.duration);
      case 'rejected':
        return this.calls.add(1, this.outcomeAttributes.rejected);
    }
  }

  /** Stops reporting the state gauge after one last collection at 0 (the breaker was disposed). */
  dispose(): void {
    this.disposed = true;
    this.current = undefined;
  }

  private record(outcome: CallOutcome, durationMs: number, slow?: true): void {
    const attributes = this.outcomeAttributes[outcome];
    this.calls.add(1, attributes);
    this.duration.record(durationMs / 1000, attributes);
    if (slow) this.slowCalls.add(1, attributes);
  }
}

function attributesBy<K extends string>(
  keys: readonly K[],
  build: (key: K) => AttributesLike,
): Readonly<Record<K, AttributesLike>> {
  return Object.fromEntries(keys.map((key) => [key, build(key)])) as Record<K, AttributesLike>;
}
