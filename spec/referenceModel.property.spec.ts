import fc from 'fast-check';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import type { Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';
import type { CircuitBreaker, CircuitState } from '../src/index.js';

/*
 * Random sequences of calls, outcomes, unsubscriptions, time steps and manual transitions go through the real
 * breaker and through a small reference model of issue 2's rules, written here from the issue text (it shares no
 * code with src/core). After every step both must agree on the state, both counters, every transition, which calls
 * were admitted, and what each call's subscriber received.
 */

class Excluded extends Error {
  override readonly name = 'Excluded';
}

interface Settings {
  readonly failMax: number;
  readonly resetTimeout: number;
  readonly successThreshold: number;
  readonly halfOpenMaxCalls: number;
  readonly throwNewErrorOnTrip: boolean;
}

/** An outcome or an unsubscription for one of the running calls (`pick` chooses which, modulo their number). */
interface CallCommand {
  readonly kind: 'complete' | 'fail' | 'failExcluded' | 'emit' | 'unsubscribe';
  readonly pick: number;
}

interface ManualCommand {
  readonly kind: 'open' | 'close' | 'halfOpen';
}

type Command =
  | { readonly kind: 'subscribe' }
  | { readonly kind: 'advance'; readonly ms: number }
  | CallCommand
  | ManualCommand;

function isManual(command: Command): command is ManualCommand {
  return command.kind === 'open' || command.kind === 'close' || command.kind === 'halfOpen';
}

/** What a call's subscriber should have received, or did receive. */
interface Received {
  values: number[];
  completed: boolean;
  error?: unknown;
}

/** The error the model expects: the source's own error, or a CircuitBreakerError. */
type ExpectedError =
  { readonly original: unknown } | { readonly breakerMessage: string; readonly cause?: unknown };

const messages = {
  open: 'Timeout not elapsed yet, circuit breaker still open',
  trialsBusy: 'Trial calls in progress, circuit breaker half-open',
  tripped: 'Failures threshold reached, circuit breaker opened',
  trialFailed: 'Trial call failed, circuit breaker opened',
};

/** A call as the model sees it. */
interface ModelCall {
  readonly admitted: boolean;
  /** Transitions the model had made when the call was admitted: its outcome counts only if none happened since. */
  readonly epoch: number;
  delivered: boolean;
  readonly expected: Received & { expectedError?: ExpectedError };
}

/** The rules of issue 2, as plainly as possible. */
class ReferenceModel {
  state: CircuitState = 'closed';
  failCounter = 0;
  successCounter = 0;
  openedAt = 0;
  trialsRunning = 0;
  epoch = 0;
  readonly transitions: string[] = [];
  rejected = 0;
  ignored = 0;
  cancelled = 0;

  constructor(private readonly settings: Settings) {}

  /** The state a reader sees: an open circuit whose reset timeout has elapsed reads half-open. */
  visibleState(now: number): CircuitState {
    return this.state === 'open' && now >= this.openedAt + this.settings.resetTimeout
      ? 'half-open'
      : this.state;
  }

  visibleSuccessCounter(): number {
    return this.state === 'half-open' ? this.successCounter : 0;
  }

  /** The reset timeout elapsing is a transition of its own (the breaker's timer, or the next call, makes it). */
  settle(now: number): void {
    if (this.visibleState(now) !== this.state) this.moveTo('half-open', 'reset_timeout');
  }

  subscribe(now: number): ModelCall {
    this.settle(now);
    const admitted =
      this.state === 'closed' ||
      (this.state === 'half-open' && this.trialsRunning < this.settings.halfOpenMaxCalls);
    const call: ModelCall = {
      admitted,
      epoch: this.epoch,
      delivered: false,
      expected: { values: [], completed: false },
    };
    if (admitted && this.state === 'half-open') this.trialsRunning++;
    if (!admitted) {
      this.rejected++;
      const message = this.state === 'open' ? messages.open : messages.trialsBusy;
      call.expected.expectedError = { breakerMessage: message };
    }
    return call;
  }

  emit(call: ModelCall, value: number): void {
    call.delivered = true;
    call.expected.values.push(value);
  }

  complete(call: ModelCall): void {
    this.succeed(call);
    call.expected.completed = true;
  }

  /** An excluded error counts as a success, and the subscriber still gets it. */
  failExcluded(call: ModelCall, error: unknown): void {
    this.succeed(call);
    call.expected.expectedError = { original: error };
  }

  fail(call: ModelCall, error: unknown, now: number): void {
    call.expected.expectedError = this.failure(call, error, now);
  }

  /** Unsubscribed after a value: a success. Before any value: not counted, and a trial slot is given back. */
  unsubscribe(call: ModelCall): void {
    if (call.delivered) {
      this.succeed(call);
      return;
    }
    this.cancelled++;
    if (this.isCurrent(call) && this.state === 'half-open') this.trialsRunning--;
  }

  open(now: number): void {
    this.moveTo('open', 'manual');
    this.openedAt = now;
  }

  close(): void {
    this.moveTo('closed', 'manual');
  }

  halfOpen(): void {
    this.moveTo('half-open', 'manual');
  }

  private succeed(call: ModelCall): void {
    if (!this.isCurrent(call)) {
      this.ignored++;
      return;
    }
    this.failCounter = 0;
    if (this.state !== 'half-open') return;
    this.trialsRunning--;
    this.successCounter++;
    if (this.successCounter >= this.settings.successThreshold)
      this.moveTo('closed', 'trial_success');
  }

  private failure(call: ModelCall, error: unknown, now: number): ExpectedError {
    if (!this.isCurrent(call)) {
      this.ignored++;
      return { original: error };
    }
    this.failCounter++;
    const reason =
      this.state === 'half-open'
        ? 'trial_failure'
        : this.failCounter >= this.settings.failMax
          ? 'failure_threshold'
          : undefined;
    if (!reason) return { original: error };
    this.moveTo('open', reason);
    this.openedAt = now;
    if (!this.settings.throwNewErrorOnTrip) return { original: error };
    return {
      breakerMessage: reason === 'trial_failure' ? messages.trialFailed : messages.tripped,
      cause: error,
    };
  }

  private isCurrent(call: ModelCall): boolean {
    return call.epoch === this.epoch;
  }

  private moveTo(to: CircuitState, reason: string): void {
    this.transitions.push(`${this.state}>${to} ${reason}`);
    this.state = to;
    this.epoch++;
    this.successCounter = 0;
    this.trialsRunning = 0;
    if (to === 'closed') this.failCounter = 0;
  }
}

/** One call as the real breaker runs it: a Subject as the source, and what the subscriber got. */
interface RealCall {
  readonly source: Subject<number>;
  readonly subscription: Subscription;
  readonly received: Received;
}

interface Tracked {
  readonly model: ModelCall;
  readonly real: RealCall;
  running: boolean;
}

/** Drives the real breaker on a virtual clock. */
class Harness {
  readonly scheduler = new VirtualTimeScheduler();
  readonly breaker: CircuitBreaker;
  readonly transitions: string[] = [];
  readonly counts = { rejected: 0, ignored: 0, cancelled: 0 };
  lastState$: CircuitState | undefined;

  constructor(settings: Settings) {
    this.breaker = circuitBreaker({ ...settings, exclude: [Excluded], scheduler: this.scheduler });
    this.breaker.transition$.subscribe(({ from, to, reason }) =>
      this.transitions.push(`${from}>${to} ${reason}`),
    );
    this.breaker.state$.subscribe((state) => (this.lastState$ = state));
    this.breaker.events$.subscribe((event) => {
      if (event.type === 'rejected' || event.type === 'ignored' || event.type === 'cancelled')
        this.counts[event.type]++;
    });
  }

  now(): number {
    return this.scheduler.now();
  }

  subscribe(): RealCall {
    const source = new Subject<number>();
    const received: Received = { values: [], completed: false };
    const subscription = source.pipe(this.breaker).subscribe({
      next: (value) => received.values.push(value),
      error: (error: unknown) => (received.error = error),
      complete: () => (received.completed = true),
    });
    return { source, subscription, received };
  }

  /** Runs every timer due up to now + ms, then sets the clock to now + ms. */
  advance(ms: number): void {
    const target = this.scheduler.frame + ms;
    this.scheduler.maxFrames = target;
    this.scheduler.flush();
    this.scheduler.frame = target;
  }
}

const settingsArbitrary = fc.record<Settings>({
  failMax: fc.integer({ min: 1, max: 4 }),
  resetTimeout: fc.integer({ min: 0, max: 20 }),
  successThreshold: fc.integer({ min: 1, max: 3 }),
  halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
  throwNewErrorOnTrip: fc.boolean(),
});

const pick = fc.nat({ max: 7 });
const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'subscribe' } as const) },
  { weight: 3, arbitrary: pick.map((n) => ({ kind: 'complete', pick: n }) as const) },
  { weight: 4, arbitrary: pick.map((n) => ({ kind: 'fail', pick: n }) as const) },
  { weight: 1, arbitrary: pick.map((n) => ({ kind: 'failExcluded', pick: n }) as const) },
  { weight: 2, arbitrary: pick.map((n) => ({ kind: 'emit', pick: n }) as const) },
  { weight: 2, arbitrary: pick.map((n) => ({ kind: 'unsubscribe', pick: n }) as const) },
  {
    weight: 3,
    arbitrary: fc.integer({ min: 0, max: 25 }).map((ms) => ({ kind: 'advance', ms }) as const),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { kind: 'open' } as const,
      { kind: 'close' } as const,
      { kind: 'halfOpen' } as const,
    ),
  },
);

/** Applies one command to both sides. */
function apply(
  command: Command,
  harness: Harness,
  model: ReferenceModel,
  calls: Tracked[],
  step: number,
): void {
  const { breaker } = harness;
  const now = harness.now();
  if (command.kind === 'subscribe') {
    const modelCall = model.subscribe(now);
    calls.push({ model: modelCall, real: harness.subscribe(), running: modelCall.admitted });
    return;
  }
  if (command.kind === 'advance') {
    harness.advance(command.ms);
    model.settle(harness.now());
    return;
  }
  if (isManual(command)) {
    void breaker[command.kind]();
    if (command.kind === 'open') model.open(now);
    else model[command.kind]();
    return;
  }
  const running = calls.filter((call) => call.running);
  const call = running[command.pick % Math.max(1, running.length)];
  if (!call) return;
  const { source, subscription } = call.real;
  switch (command.kind) {
    case 'emit':
      model.emit(call.model, step);
      source.next(step);
      return;
    case 'complete':
      call.running = false;
      model.complete(call.model);
      source.complete();
      return;
    case 'fail': {
      call.running = false;
      const error = new Error(`failure at step ${step}`);
      model.fail(call.model, error, now);
      source.error(error);
      return;
    }
    case 'failExcluded': {
      call.running = false;
      const error = new Excluded(`excluded at step ${step}`);
      model.failExcluded(call.model, error);
      source.error(error);
      return;
    }
    case 'unsubscribe':
      call.running = false;
      model.unsubscribe(call.model);
      subscription.unsubscribe();
      return;
  }
}

/** Fails the property with both sides shown; plain comparisons keep thousands of checks per second cheap. */
function agree<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) {
    throw new Error(`${what}: breaker has ${String(actual)}, model expects ${String(expected)}`);
  }
}

function agreeOnList(actual: readonly unknown[], expected: readonly unknown[], what: string): void {
  agree(JSON.stringify(actual), JSON.stringify(expected), what);
}

function agreeOnError(actual: unknown, expected: ExpectedError | undefined, what: string): void {
  if (!expected) {
    agree(actual, undefined, what);
  } else if ('original' in expected) {
    agree(actual, expected.original, what);
  } else {
    agree(isCircuitBreakerError(actual), true, `${what} is a CircuitBreakerError`);
    agree((actual as Error).message, expected.breakerMessage, `${what} message`);
    agree((actual as Error).cause, expected.cause, `${what} cause`);
  }
}

function agreeOnEverything(
  harness: Harness,
  model: ReferenceModel,
  calls: Tracked[],
  where: string,
): void {
  const { breaker } = harness;
  agree(breaker.state, model.visibleState(harness.now()), `${where}: state`);
  agree(breaker.failCounter, model.failCounter, `${where}: failCounter`);
  agree(breaker.successCounter, model.visibleSuccessCounter(), `${where}: successCounter`);
  agreeOnList(harness.transitions, model.transitions, `${where}: transitions`);
  const { rejected, ignored, cancelled } = harness.counts;
  agreeOnList(
    [rejected, ignored, cancelled],
    [model.rejected, model.ignored, model.cancelled],
    `${where}: rejected, ignored, cancelled events`,
  );
  calls.forEach(({ model: { expected }, real: { received } }, index) => {
    const call = `${where}: call ${index}`;
    agreeOnList(received.values, expected.values, `${call} values`);
    agree(received.completed, expected.completed, `${call} completed`);
    agreeOnError(received.error, expected.expectedError, `${call} error`);
  });
}

/** Runs `commands` on both sides, checking agreement after each; returns the model for further checks. */
function run(settings: Settings, commands: readonly Command[]): ReferenceModel {
  const harness = new Harness(settings);
  const model = new ReferenceModel(settings);
  const calls: Tracked[] = [];
  try {
    commands.forEach((command, step) => {
      const where = `step ${step} (${JSON.stringify(command)})`;
      apply(command, harness, model, calls, step);
      if (command.kind === 'subscribe') {
        const latest = calls[calls.length - 1];
        agree(latest.real.source.observed, latest.model.admitted, `${where}: admitted`);
      }
      agreeOnEverything(harness, model, calls, where);
      if (command.kind === 'advance')
        agree(harness.lastState$, harness.breaker.state, `${where}: state$`);
    });
  } finally {
    harness.breaker.dispose();
  }
  return model;
}

describe('the breaker against a reference model of the rules', () => {
  it('agrees after every step of random sequences of calls, outcomes, unsubscriptions and time', () => {
    fc.assert(
      fc.property(
        settingsArbitrary,
        fc.array(commandArbitrary, { minLength: 1, maxLength: 80, size: 'max' }),
        (settings, commands) => {
          run(settings, commands);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('follows a known path: trip, half-open, trial failure, half-open, trial success', () => {
    const settings: Settings = {
      failMax: 2,
      resetTimeout: 5,
      successThreshold: 1,
      halfOpenMaxCalls: 1,
      throwNewErrorOnTrip: true,
    };
    const model = run(settings, [
      { kind: 'subscribe' },
      { kind: 'fail', pick: 0 },
      { kind: 'subscribe' },
      { kind: 'fail', pick: 0 },
      { kind: 'subscribe' },
      { kind: 'advance', ms: 5 },
      { kind: 'subscribe' },
      { kind: 'subscribe' },
      { kind: 'fail', pick: 0 },
      { kind: 'advance', ms: 5 },
      { kind: 'subscribe' },
      { kind: 'emit', pick: 0 },
      { kind: 'unsubscribe', pick: 0 },
    ]);
    expect(model.transitions).toEqual([
      'closed>open failure_threshold',
      'open>half-open reset_timeout',
      'half-open>open trial_failure',
      'open>half-open reset_timeout',
      'half-open>closed trial_success',
    ]);
    expect(model.rejected).toBe(2);
    expect([model.state, model.failCounter, model.successCounter]).toEqual(['closed', 0, 0]);
  });

  it('covers the interesting cases: trips, trials, stale outcomes and give-backs all happen in random runs', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        settingsArbitrary,
        fc.array(commandArbitrary, { minLength: 1, maxLength: 80, size: 'max' }),
        (settings, commands) => {
          const model = run(settings, commands);
          for (const transition of model.transitions) seen.add(transition.split(' ')[1]);
          if (model.ignored > 0) seen.add('ignored');
          if (model.cancelled > 0) seen.add('cancelled');
          if (model.rejected > 0) seen.add('rejected');
        },
      ),
      { numRuns: 100, seed: 42 },
    );
    expect([...seen].sort()).toEqual([
      'cancelled',
      'failure_threshold',
      'ignored',
      'manual',
      'rejected',
      'reset_timeout',
      'trial_failure',
      'trial_success',
    ]);
  });
});
