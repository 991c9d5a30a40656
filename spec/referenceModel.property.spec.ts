import fc from 'fast-check';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import type { Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  exponentialBackoff,
  isCircuitBreakerError,
  memoryStore,
} from '../src/index.js';
import type { CircuitBreaker, CircuitState } from '../src/index.js';
import { stateMachine } from '../src/store/index.js';
import type {
  BreakerSettings,
  StateStore,
  StateStoreFactory,
  StoreContext,
} from '../src/store/index.js';

/*
 * Random sequences of calls, outcomes, unsubscriptions, time steps and manual transitions go through the real
 * breaker and through a small reference model of the rules of issues 2 and 10, written here from the issue text
 * (it shares no code with src/core). After every step both must agree on the state, both counters, every
 * transition, which calls were admitted, and what each call's subscriber received.
 */

class Excluded extends Error {
  override readonly name = 'Excluded';
}

/** An error of the `ignore` rule: neither success nor failure. */
class Ignored extends Error {
  override readonly name = 'Ignored';
}

interface Backoff {
  readonly initial: number;
  readonly max: number;
  readonly factor: number;
  readonly jitter: number;
  readonly seed: number;
}

interface Settings {
  /** Undefined: not given (pybreaker's 5 applies unless a rate rule is set). */
  readonly failMax: number | undefined;
  readonly resetTimeout: number | Backoff;
  readonly successThreshold: number;
  readonly halfOpenMaxCalls: number;
  readonly throwNewErrorOnTrip: boolean;
  readonly failureRate?: number;
  readonly slowCallRate?: number;
  readonly slowCallDuration?: number;
  readonly minimumCalls?: number;
  readonly window?:
    { readonly calls: number } | { readonly duration: number; readonly buckets?: number };
  readonly maxHalfOpenWait?: number;
  readonly trialPermitTtl?: number;
}

/** A small deterministic source of randomness; each side gets its own copy of the same sequence. */
function randomSequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** An outcome or an unsubscription for one of the running calls (`pick` chooses which, modulo their number). */
interface CallCommand {
  readonly kind: 'complete' | 'fail' | 'failExcluded' | 'failIgnored' | 'emit' | 'unsubscribe';
  readonly pick: number;
}

interface ManualCommand {
  readonly kind: 'open' | 'close' | 'halfOpen' | 'isolate' | 'disable';
}

type Command =
  | { readonly kind: 'subscribe' }
  | { readonly kind: 'advance'; readonly ms: number }
  | CallCommand
  | ManualCommand;

const manualTargets: Record<ManualCommand['kind'], CircuitState> = {
  open: 'open',
  close: 'closed',
  halfOpen: 'half-open',
  isolate: 'isolated',
  disable: 'disabled',
};

function isManual(command: Command): command is ManualCommand {
  return command.kind in manualTargets;
}

/** What a call's subscriber should have received, or did receive. */
interface Received {
  values: number[];
  completed: boolean;
  error?: unknown;
}

/** The error the model expects: the source's own error, or a CircuitBreakerError. */
type ExpectedError =
  | { readonly original: unknown }
  | { readonly breakerMessage: string | undefined; readonly cause?: unknown };

const messages = {
  open: 'Timeout not elapsed yet, circuit breaker still open',
  trialsBusy: 'Trial calls in progress, circuit breaker half-open',
  tripped: 'Failures threshold reached, circuit breaker opened',
  trialFailed: 'Trial call failed, circuit breaker opened',
};

/** The refusal each state gives (an isolated circuit's own refusal comes with phase 2 of issue 10). */
const refusals: Partial<Record<CircuitState, string>> = {
  open: messages.open,
  'half-open': messages.trialsBusy,
};

/** A call as the model sees it. */
interface ModelCall {
  readonly admitted: boolean;
  /** Transitions the model had made when the call was admitted: its outcome counts only if none happened since. */
  readonly epoch: number;
  readonly admittedAt: number;
  /** The moment its trial slot frees itself (trial calls only). */
  readonly trialDeadline?: number;
  delivered: boolean;
  readonly expected: Received & { expectedError?: ExpectedError };
}

/** One outcome in the window. */
interface WindowEntry {
  readonly at: number;
  readonly failed: boolean;
  readonly slow: boolean;
}

/** The rules of issues 2 and 10, as plainly as possible. */
class ReferenceModel {
  state: CircuitState = 'closed';
  failCounter = 0;
  successCounter = 0;
  openedAt = 0;
  openFor = 0;
  halfOpenSince = 0;
  attempt = 0;
  /** The deadlines of the running trials. */
  trials: number[] = [];
  window: WindowEntry[] = [];
  epoch = 0;
  readonly transitions: string[] = [];
  rejected = 0;
  ignored = 0;
  cancelled = 0;
  private readonly random: () => number;

  constructor(private readonly settings: Settings) {
    const { resetTimeout } = settings;
    this.random = randomSequence(typeof resetTimeout === 'number' ? 0 : resetTimeout.seed);
  }

  private get rateRule(): boolean {
    return this.settings.failureRate !== undefined || this.settings.slowCallRate !== undefined;
  }

  private get failMax(): number {
    return this.settings.failMax ?? (this.rateRule ? Infinity : 5);
  }

  /** A numeric resetTimeout is read live; a backoff's answer is fixed at the opening. */
  private get retryAt(): number {
    const { resetTimeout } = this.settings;
    return this.openedAt + (typeof resetTimeout === 'number' ? resetTimeout : this.openFor);
  }

  /** The state a reader sees: an open circuit whose reset timeout has elapsed reads half-open. */
  visibleState(now: number): CircuitState {
    return this.state === 'open' && now >= this.retryAt ? 'half-open' : this.state;
  }

  visibleSuccessCounter(): number {
    return this.state === 'half-open' ? this.successCounter : 0;
  }

  /** The next moment the state changes by itself. */
  nextDeadline(): number | undefined {
    if (this.state === 'open') return this.retryAt;
    const wait = this.settings.maxHalfOpenWait;
    if (this.state === 'half-open' && wait !== undefined) return this.halfOpenSince + wait;
    return undefined;
  }

  /** Time passes from `from` to `to`: each deadline on the way is a transition at its moment. */
  advance(from: number, to: number): void {
    for (
      let deadline = this.nextDeadline();
      deadline !== undefined && deadline <= to;
      deadline = this.nextDeadline()
    ) {
      this.settle(Math.max(deadline, from));
    }
  }

  /** The reset timeout elapsing is a transition of its own (the breaker's timer, or the next call, makes it). */
  settle(now: number): void {
    const deadline = this.nextDeadline();
    if (deadline === undefined || now < deadline) return;
    if (this.state === 'open') {
      this.moveTo('half-open', 'reset_timeout');
      this.halfOpenSince = now;
    } else {
      this.open(now, 'half_open_timeout');
    }
  }

  subscribe(now: number): ModelCall {
    this.settle(now);
    this.trials = this.trials.filter((deadline) => deadline > now);
    const trial = this.state === 'half-open' && this.trials.length < this.settings.halfOpenMaxCalls;
    const admitted = this.state === 'closed' || this.state === 'disabled' || trial;
    const trialDeadline = trial ? now + (this.settings.trialPermitTtl ?? 30_000) : undefined;
    if (trialDeadline !== undefined) this.trials.push(trialDeadline);
    const call: ModelCall = {
      admitted,
      epoch: this.epoch,
      admittedAt: now,
      trialDeadline,
      delivered: false,
      expected: { values: [], completed: false },
    };
    if (!admitted) {
      this.rejected++;
      call.expected.expectedError = { breakerMessage: refusals[this.state] };
    }
    return call;
  }

  emit(call: ModelCall, value: number): void {
    call.delivered = true;
    call.expected.values.push(value);
  }

  complete(call: ModelCall, now: number): void {
    this.succeed(call, now);
    call.expected.completed = true;
  }

  /** An excluded error counts as a success, and the subscriber still gets it. */
  failExcluded(call: ModelCall, error: unknown, now: number): void {
    this.succeed(call, now);
    call.expected.expectedError = { original: error };
  }

  /** An ignored error counts as nothing: it frees a trial slot, and the subscriber gets it. */
  failIgnored(call: ModelCall, error: unknown): void {
    this.ignored++;
    this.freeTrial(call);
    call.expected.expectedError = { original: error };
  }

  fail(call: ModelCall, error: unknown, now: number): void {
    call.expected.expectedError = this.failure(call, error, now);
  }

  /** Unsubscribed after a value: a success. Before any value: not counted, and a trial slot is given back. */
  unsubscribe(call: ModelCall, now: number): void {
    if (call.delivered) {
      this.succeed(call, now);
      return;
    }
    this.cancelled++;
    this.freeTrial(call);
  }

  manual(to: CircuitState, now: number): void {
    if (to === 'open') return this.open(now, 'manual');
    this.moveTo(to, 'manual');
    if (to === 'half-open') this.halfOpenSince = now;
  }

  private freeTrial(call: ModelCall): void {
    if (!this.isCurrent(call) || this.state !== 'half-open') return;
    const index = this.trials.indexOf(call.trialDeadline ?? NaN);
    if (index >= 0) this.trials.splice(index, 1);
  }

  private isSlow(call: ModelCall, now: number): boolean {
    if (this.settings.slowCallRate === undefined) return false;
    return now - call.admittedAt > (this.settings.slowCallDuration ?? 60_000);
  }

  private succeed(call: ModelCall, now: number): void {
    if (!this.isCurrent(call)) {
      this.ignored++;
      return;
    }
    const slow = this.isSlow(call, now);
    if (this.state === 'closed' || this.state === 'disabled') {
      this.failCounter = 0;
      this.count(now, false, slow);
      return;
    }
    if (this.state !== 'half-open') return;
    if (slow) {
      this.failCounter++;
      this.open(now, 'trial_failure');
      return;
    }
    this.freeTrial(call);
    this.failCounter = 0;
    this.successCounter++;
    if (this.successCounter >= this.settings.successThreshold)
      this.moveTo('closed', 'trial_success');
  }

  private failure(call: ModelCall, error: unknown, now: number): ExpectedError {
    if (
      !this.isCurrent(call) ||
      (this.state !== 'closed' && this.state !== 'disabled' && this.state !== 'half-open')
    ) {
      this.ignored++;
      return { original: error };
    }
    this.failCounter++;
    let reason: string | undefined = 'trial_failure';
    if (this.state === 'half-open') this.open(now, reason);
    else reason = this.count(now, true, this.isSlow(call, now));
    if (!reason || !this.settings.throwNewErrorOnTrip) return { original: error };
    return {
      breakerMessage: reason === 'trial_failure' ? messages.trialFailed : messages.tripped,
      cause: error,
    };
  }

  /** Records a counted outcome in closed or disabled, and trips a closed circuit when a rule fires. */
  private count(now: number, failed: boolean, slow: boolean): string | undefined {
    this.trimWindow(now);
    this.window.push({ at: now, failed, slow });
    const window = this.settings.window ?? { calls: 100 };
    if ('calls' in window) this.window = this.window.slice(-window.calls);
    if (this.state !== 'closed') return undefined;
    const reason = this.tripReason();
    if (reason) this.open(now, reason);
    return reason;
  }

  private tripReason(): string | undefined {
    if (this.failCounter >= this.failMax) return 'failure_threshold';
    const calls = this.window.length;
    if (!this.rateRule || calls < this.minimumCalls()) return undefined;
    const { failureRate, slowCallRate } = this.settings;
    const failures = this.window.filter((entry) => entry.failed).length;
    const slowCalls = this.window.filter((entry) => entry.slow).length;
    if (failureRate !== undefined && failures / calls >= failureRate) return 'failure_rate';
    if (slowCallRate !== undefined && slowCalls / calls >= slowCallRate) return 'slow_call_rate';
    return undefined;
  }

  private minimumCalls(): number {
    const window = this.settings.window ?? { calls: 100 };
    return this.settings.minimumCalls ?? ('calls' in window ? window.calls : 10);
  }

  /** A time window holds the outcomes whose bucket is less than `buckets` buckets older than now's. */
  private trimWindow(now: number): void {
    const window = this.settings.window;
    if (!window || 'calls' in window) return;
    const buckets = window.buckets ?? 10;
    const width = window.duration / buckets;
    this.window = this.window.filter(
      (entry) => Math.floor(now / width) - Math.floor(entry.at / width) < buckets,
    );
  }

  private open(now: number, reason: string): void {
    this.moveTo('open', reason);
    this.openedAt = now;
    this.attempt++;
    const { resetTimeout } = this.settings;
    if (typeof resetTimeout === 'number') return;
    const { initial, max, factor, jitter } = resetTimeout;
    const delay = Math.min(max, initial * factor ** (this.attempt - 1));
    this.openFor = jitter === 0 ? delay : delay * (1 - jitter * this.random());
  }

  private isCurrent(call: ModelCall): boolean {
    return call.epoch === this.epoch;
  }

  private moveTo(to: CircuitState, reason: string): void {
    this.transitions.push(`${this.state}>${to} ${reason}`);
    this.state = to;
    this.epoch++;
    this.successCounter = 0;
    this.trials = [];
    this.window = [];
    if (to === 'closed') {
      this.failCounter = 0;
      this.attempt = 0;
    }
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

/** The real breaker's side of the new rules that phase 1 of issue 10 builds in the store, not yet in the operator. */
interface PolicyHooks {
  store?: StateStore;
  context?: StoreContext;
}

/**
 * The memory store with the settings of issue 10, standing in for what the operator does with them in phase 2:
 * an `Ignored` error gives its permit back (the `ignore` rule), and isolate/disable/timers are driven by the
 * harness through the store and `reportTransition`.
 */
function policyStore(
  settings: BreakerSettings,
  trialPermitTtl: number | undefined,
  hooks: PolicyHooks,
): StateStoreFactory {
  return (context) => {
    const store = memoryStore(undefined, { trialPermitTtl })({ ...context, settings });
    hooks.store = store;
    hooks.context = context;
    return {
      get state() {
        return store.state;
      },
      settle: (now) => store.settle(now),
      acquire: (now) => store.acquire(now),
      release: (permit) => store.release(permit),
      recordSuccess: (permit, now, duration) => store.recordSuccess(permit, now, duration),
      recordFailure: (permit, now, duration, error) => {
        if (!(error instanceof Ignored)) return store.recordFailure(permit, now, duration, error);
        store.release(permit);
        return { state: store.state, counted: false };
      },
      force: (to, now) => store.force(to, now),
      snapshot: (now) => store.snapshot(now),
      dispose: () => store.dispose(),
    };
  };
}

function storeSettings(settings: Settings): BreakerSettings {
  const { resetTimeout, failMax, throwNewErrorOnTrip: _, trialPermitTtl: __, ...rules } = settings;
  const rateRule = settings.failureRate !== undefined || settings.slowCallRate !== undefined;
  return {
    ...rules,
    failMax: failMax ?? (rateRule ? Infinity : 5),
    resetTimeout:
      typeof resetTimeout === 'number'
        ? resetTimeout
        : exponentialBackoff({
            initial: resetTimeout.initial,
            max: resetTimeout.max,
            factor: resetTimeout.factor,
            jitter: resetTimeout.jitter,
            random: randomSequence(resetTimeout.seed),
          }),
  };
}

/** Drives the real breaker on a virtual clock. */
class Harness {
  readonly scheduler = new VirtualTimeScheduler();
  readonly breaker: CircuitBreaker;
  readonly transitions: string[] = [];
  readonly counts = { rejected: 0, ignored: 0, cancelled: 0 };
  lastState$: CircuitState | undefined;
  /** Set when the store gets the new rules (the breaker's own timer and settings are then bypassed). */
  private readonly policy?: { readonly hooks: PolicyHooks; readonly settings: BreakerSettings };

  constructor(settings: Settings, policy: boolean) {
    const { throwNewErrorOnTrip } = settings;
    const exclude = [Excluded];
    const scheduler = this.scheduler;
    if (!policy) {
      const { failMax, resetTimeout, successThreshold, halfOpenMaxCalls } = settings as Settings & {
        failMax: number;
        resetTimeout: number;
      };
      this.breaker = circuitBreaker({
        ...{ failMax, resetTimeout, successThreshold, halfOpenMaxCalls, throwNewErrorOnTrip },
        exclude,
        scheduler,
      });
    } else {
      const hooks: PolicyHooks = {};
      this.policy = { hooks, settings: storeSettings(settings) };
      this.breaker = circuitBreaker({
        throwNewErrorOnTrip,
        exclude,
        scheduler,
        // The breaker's own timer reads this; the store's deadlines are driven by advance() below.
        resetTimeout: 1e12,
        store: policyStore(this.policy.settings, settings.trialPermitTtl, hooks),
      });
    }
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

  /** The state as read now: the breaker's getter, or the store's own state when the store has the new rules. */
  state(): CircuitState {
    const store = this.policy?.hooks.store;
    if (!store || !this.policy) return this.breaker.state;
    return stateMachine.settle(store.state, this.now(), this.policy.settings).state.name;
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

  /** A manual transition; isolate and disable go through the store (the operator gains them in phase 2). */
  manual(kind: ManualCommand['kind']): void {
    if (kind !== 'isolate' && kind !== 'disable') {
      void this.breaker[kind]();
      return;
    }
    const { store, context } = this.policy?.hooks ?? {};
    const step = store?.force(manualTargets[kind], this.now());
    if (step && !(step instanceof Promise) && step.transition)
      context?.reportTransition(step.transition);
  }

  /**
   * Runs every timer due up to now + ms, then sets the clock to now + ms. With the new rules it also stops at each
   * of the store's own deadlines (retry time, maxHalfOpenWait) and settles there, as the breaker's timer will.
   */
  advance(ms: number): void {
    const target = this.scheduler.frame + ms;
    for (
      let deadline = this.nextDeadline();
      deadline !== undefined && deadline <= target;
      deadline = this.nextDeadline()
    ) {
      this.runTo(Math.max(deadline, this.scheduler.frame));
      const step = this.policy?.hooks.store?.settle(this.now());
      if (step && !(step instanceof Promise) && step.transition) {
        this.policy?.hooks.context?.reportTransition(step.transition);
      }
    }
    this.runTo(target);
  }

  private nextDeadline(): number | undefined {
    const store = this.policy?.hooks.store;
    return store && this.policy
      ? stateMachine.nextDeadline(store.state, this.policy.settings)
      : undefined;
  }

  private runTo(frame: number): void {
    this.scheduler.maxFrames = frame;
    this.scheduler.flush();
    this.scheduler.frame = frame;
  }
}

const settingsArbitrary = fc.record<Settings>({
  failMax: fc.integer({ min: 1, max: 4 }),
  resetTimeout: fc.integer({ min: 0, max: 20 }),
  successThreshold: fc.integer({ min: 1, max: 3 }),
  halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
  throwNewErrorOnTrip: fc.boolean(),
});

const backoffArbitrary = fc.record<Backoff>({
  initial: fc.integer({ min: 1, max: 8 }),
  max: fc.integer({ min: 8, max: 40 }),
  factor: fc.constantFrom(1, 1.5, 2, 3),
  jitter: fc.constantFrom(0, 0, 0.5, 1),
  seed: fc.nat(),
});

const rateArbitrary = fc.oneof(
  fc.constantFrom(0.25, 0.5, 1),
  fc.double({ min: 0.01, max: 1, noNaN: true }),
);

/** Every rule of issue 10 in play, each option present or absent at random. */
const policySettingsArbitrary = fc.record<Settings>(
  {
    failMax: fc.integer({ min: 1, max: 4 }),
    resetTimeout: fc.oneof(fc.integer({ min: 0, max: 20 }), backoffArbitrary),
    successThreshold: fc.integer({ min: 1, max: 3 }),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    throwNewErrorOnTrip: fc.boolean(),
    failureRate: rateArbitrary,
    slowCallRate: rateArbitrary,
    slowCallDuration: fc.integer({ min: 0, max: 15 }),
    minimumCalls: fc.integer({ min: 1, max: 5 }),
    window: fc.oneof(
      fc.record({ calls: fc.integer({ min: 1, max: 6 }) }),
      fc.record(
        { duration: fc.integer({ min: 1, max: 40 }), buckets: fc.integer({ min: 1, max: 4 }) },
        { requiredKeys: ['duration'] },
      ),
    ),
    maxHalfOpenWait: fc.integer({ min: 1, max: 30 }),
    trialPermitTtl: fc.integer({ min: 1, max: 40 }),
  },
  { requiredKeys: ['resetTimeout', 'successThreshold', 'halfOpenMaxCalls', 'throwNewErrorOnTrip'] },
);

const pick = fc.nat({ max: 7 });
const classicCommands: readonly fc.WeightedArbitrary<Command>[] = [
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
];
const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(...classicCommands);
const policyCommandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  ...classicCommands,
  { weight: 1, arbitrary: pick.map((n) => ({ kind: 'failIgnored', pick: n }) as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom({ kind: 'isolate' } as const, { kind: 'disable' } as const),
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
  const now = harness.now();
  if (command.kind === 'subscribe') {
    const modelCall = model.subscribe(now);
    calls.push({ model: modelCall, real: harness.subscribe(), running: modelCall.admitted });
    return;
  }
  if (command.kind === 'advance') {
    harness.advance(command.ms);
    model.advance(now, harness.now());
    return;
  }
  if (isManual(command)) {
    harness.manual(command.kind);
    model.manual(manualTargets[command.kind], now);
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
      model.complete(call.model, now);
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
      model.failExcluded(call.model, error, now);
      source.error(error);
      return;
    }
    case 'failIgnored': {
      call.running = false;
      const error = new Ignored(`ignored at step ${step}`);
      model.failIgnored(call.model, error);
      source.error(error);
      return;
    }
    case 'unsubscribe':
      call.running = false;
      model.unsubscribe(call.model, now);
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
    if (expected.breakerMessage !== undefined)
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
  agree(harness.state(), model.visibleState(harness.now()), `${where}: state`);
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
function run(settings: Settings, commands: readonly Command[], policy = false): ReferenceModel {
  const harness = new Harness(settings, policy);
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
        agree(harness.lastState$, harness.state(), `${where}: state$`);
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

describe('the trip policies of issue 10 (in the memory store) against the reference model', () => {
  const property = (check: (model: ReferenceModel) => void) =>
    fc.property(
      policySettingsArbitrary,
      fc.array(policyCommandArbitrary, { minLength: 1, maxLength: 80, size: 'max' }),
      (settings, commands) => check(run(settings, commands, true)),
    );

  it('agrees after every step: windows, rates, slow calls, ignore, backoff, maxHalfOpenWait, trial expiry, isolate and disable', () => {
    fc.assert(
      property(() => undefined),
      { numRuns: 4000 },
    );
  });

  it('covers the new rules: every reason and state happens in random runs', () => {
    const seen = new Set<string>();
    fc.assert(
      property((model) => {
        for (const transition of model.transitions) {
          const [move = '', reason = ''] = transition.split(' ');
          seen.add(reason);
          seen.add(move.split('>')[1] ?? '');
        }
      }),
      { numRuns: 300, seed: 42 },
    );
    expect([...seen].sort()).toEqual([
      'closed',
      'disabled',
      'failure_rate',
      'failure_threshold',
      'half-open',
      'half_open_timeout',
      'isolated',
      'manual',
      'open',
      'reset_timeout',
      'slow_call_rate',
      'trial_failure',
      'trial_success',
    ]);
  });
});
