import { defer, from } from 'rxjs';
import type {
  Observable,
  ObservableInput,
  SchedulerAction,
  SchedulerLike,
  Subscription,
} from 'rxjs';
import type { BreakerObserver, CallInfo } from './BreakerObserver.js';
import { CircuitBreakerError, refusalError } from './CircuitBreakerError.js';
import { EventHub } from './EventHub.js';
import type {
  CircuitBreakerEvent,
  FailureEvent,
  IgnoredEvent,
  RejectedEvent,
  SuccessEvent,
  TransitionEvent,
} from './CircuitBreakerEvent.js';
import type { CircuitState, Transition } from '../core/CircuitState.js';
import type { ResetTimeout } from '../core/BreakerState.js';
import type { BreakerSnapshot } from '../core/BreakerSnapshot.js';
import { whenReady } from '../core/maybePromise.js';
import { hasRateRule } from '../core/OutcomeWindow.js';
import type { Admission, Permit, Recorded, Step } from '../core/stateMachine.js';
import { halfOpenAt, nextDeadline } from '../core/stateMachine.js';
import { isSlow } from '../core/tripPolicy.js';
import type { ExcludeRule } from '../config/CircuitBreakerConfig.js';
import { longestTimerDelay } from '../config/checkOptions.js';
import { protect } from './protect.js';
import type { MaybePromise, StateStore } from '../core/StateStore.js';
import { isExcluded } from '../config/isExcluded.js';
import { unrefTimer } from './unrefTimer.js';
import type { BreakerSettingsInForce, ResolvedConfig } from '../config/validateConfig.js';
import { validateSetting, validateStore } from '../config/validateConfig.js';

/** Admits a call but never counts its outcome: used when a faulty store gives no answer. */
const uncountedPermit: Permit = { generation: -1 };

/**
 * One breaker's state, rules and streams. {@link circuitBreaker} exposes it as a callable operator; the
 * per-subscription work lives in `protect.ts`.
 */
export class Breaker {
  readonly name: string;
  // operations (groups): calls admitted and not finished, and calls admitted so far; protect.ts keeps them.
  callsInFlight = 0;
  callsAdmitted = 0;

  private readonly settings: BreakerSettingsInForce;
  private excludeRules: readonly ExcludeRule[];
  private ignoreRules: readonly ExcludeRule[];
  /**
   * Whether a success needs the clock read at its end: to judge it slow, to place it in a time window, or to open
   * the circuit at the right moment when a rate rule trips on it. Consecutive-only breakers skip that read.
   */
  private readonly timesSuccesses: boolean;
  private readonly store: StateStore;
  /** Made when a stream is first asked for: most breakers are never watched. */
  private eventHub?: EventHub;
  private deadlineTimer?: Subscription;
  private disposed = false;
  private readonly observerWantsCalls: boolean;
  /** Events raised while others were being delivered (a subscriber that calls or transitions), in order. */
  private backlog?: { event: CircuitBreakerEvent; call: CallInfo | undefined }[];
  private emitting = false;
  // What the breaker reads of its config after construction: the config itself is not kept (memory per breaker).
  private readonly scheduler: SchedulerLike;
  private readonly failWhen: ((value: unknown) => boolean) | undefined;
  private readonly throwNewErrorOnTrip: boolean;

  constructor(
    config: ResolvedConfig,
    /** Telemetry: sees every event with the call that caused it. */
    private readonly observer?: BreakerObserver,
  ) {
    const { name, scheduler } = config;
    this.name = name;
    this.scheduler = scheduler;
    this.failWhen = config.failWhen;
    this.throwNewErrorOnTrip = config.throwNewErrorOnTrip;
    this.observerWantsCalls = observer !== undefined && observer.observesCalls !== false;
    // The resolved config is this breaker's own: its settings are the ones the setters change.
    this.settings = config.settings;
    this.excludeRules = config.exclude;
    this.ignoreRules = config.ignore;
    this.timesSuccesses = hasRateRule(this.settings);
    this.store = validateStore(
      config.store({
        name,
        settings: this.settings,
        scheduler,
        explicitName: config.explicitName,
        reportError: (error) => this.emit({ type: 'store-error', time: this.now(), error }),
        reportTransition: (transition) => this.noteTransition(transition),
      }),
    );
    observer?.onStart?.(this.state);
    this.scheduleDeadline();
  }

  get events$(): Observable<CircuitBreakerEvent> {
    return this.hub().events$;
  }

  get transition$(): Observable<Transition> {
    return this.hub().transition$;
  }

  get state$(): Observable<CircuitState> {
    return this.hub().state$;
  }

  get failure$(): Observable<FailureEvent> {
    return this.hub().failure$;
  }

  get success$(): Observable<SuccessEvent> {
    return this.hub().success$;
  }

  get rejected$(): Observable<RejectedEvent> {
    return this.hub().rejected$;
  }

  /** The streams, made when one is first asked for: most breakers are never watched. */
  private hub(): EventHub {
    if (!this.eventHub) {
      this.eventHub = new EventHub(() => this.state);
      if (this.disposed) this.eventHub.complete();
    }
    return this.eventHub;
  }

  /**
   * The state now: an open circuit whose reset timeout has elapsed already reads as half-open, and a half-open one
   * past `maxHalfOpenWait` as open.
   */
  get state(): CircuitState {
    const state = this.store.state;
    const deadline = nextDeadline(state, this.settings);
    if (deadline === undefined || this.now() < deadline) return state.name;
    return state.name === 'open' ? 'half-open' : 'open';
  }

  // operations: groups and the registry read these.
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** When an open circuit admits trial calls (scheduler ms); undefined in the other states. */
  get retryAt(): number | undefined {
    const state = this.store.state;
    return state.name === 'open' ? halfOpenAt(state, this.settings) : undefined;
  }

  get failCounter(): number {
    return this.store.state.failCounter;
  }

  get successCounter(): number {
    const state = this.store.state;
    return state.name === 'half-open' ? state.successCounter : 0;
  }

  get failMax(): number {
    return this.settings.failMax;
  }

  set failMax(value: number) {
    validateSetting('failMax', value);
    this.settings.failMax = value;
  }

  get resetTimeout(): ResetTimeout {
    return this.settings.resetTimeout;
  }

  set resetTimeout(value: ResetTimeout) {
    validateSetting('resetTimeout', value);
    this.settings.resetTimeout = value;
    this.scheduleDeadline();
  }

  get exclude(): readonly ExcludeRule[] {
    return this.excludeRules;
  }

  set exclude(value: readonly ExcludeRule[]) {
    validateSetting('exclude', value);
    this.excludeRules = Object.freeze([...value]);
  }

  get ignore(): readonly ExcludeRule[] {
    return this.ignoreRules;
  }

  set ignore(value: readonly ExcludeRule[]) {
    validateSetting('ignore', value);
    this.ignoreRules = Object.freeze([...value]);
  }

  get successThreshold(): number {
    return this.settings.successThreshold;
  }

  set successThreshold(value: number) {
    validateSetting('successThreshold', value);
    this.settings.successThreshold = value;
  }

  get halfOpenMaxCalls(): number {
    return this.settings.halfOpenMaxCalls;
  }

  set halfOpenMaxCalls(value: number) {
    validateSetting('halfOpenMaxCalls', value);
    this.settings.halfOpenMaxCalls = value;
  }

  open(): Promise<void> {
    return this.force('open');
  }

  close(): Promise<void> {
    return this.force('closed');
  }

  halfOpen(): Promise<void> {
    return this.force('half-open');
  }

  isolate(): Promise<void> {
    return this.force('isolated');
  }

  disable(): Promise<void> {
    return this.force('disabled');
  }

  snapshot(): BreakerSnapshot {
    return this.store.snapshot(this.now());
  }

  /** `fn(...args)` as one call through the breaker per subscription; a throwing `fn` is a failed call. */
  execute<A extends readonly unknown[], T>(
    fn: (...args: A) => ObservableInput<T>,
    ...args: A
  ): Observable<T> {
    return protect(
      this,
      defer(() => from(fn(...args))),
    );
  }

  /** `fn` as a function whose calls go through the breaker; it keeps `fn`'s name. */
  wrap<A extends readonly unknown[], T>(
    fn: (...args: A) => ObservableInput<T>,
  ): (...args: A) => Observable<T> {
    // A computed key names the function as it is created (redefining `name` afterwards is slower to use).
    const { name } = fn;
    const { [name]: wrapped } = { [name]: (...args: A) => this.execute(fn, ...args) };
    return wrapped;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.deadlineTimer?.unsubscribe();
    this.store.dispose();
    this.eventHub?.complete();
    this.observer?.onDispose?.();
  }

  /** The observer's context, captured when a call is subscribed (see `BreakerObserver.captureContext`). */
  captureContext(): unknown {
    return this.observer?.captureContext?.();
  }

  /*
   * admit() and succeed() run on every call, so they handle a synchronous store's answer without allocating
   * closures; only a promise from the store takes the `then` path.
   */

  /** Returns the call's permit, or the error that refuses it. */
  admit(call: CallInfo): MaybePromise<Permit | CircuitBreakerError> {
    if (this.disposed) return refusalError('disposed', this.name, this.state);
    const admission = this.store.acquire(call.startedAt);
    if (!(admission instanceof Promise)) return this.admitted(admission, call);
    return admission.then(
      (answer) => this.admitted(answer, call),
      (error: unknown) => this.storeFault(error, uncountedPermit),
    );
  }

  /*
   * A call admitted before dispose() still delivers its outcome, unrecorded: a disposed breaker never moves its
   * circuit (nor, with a shared store, the fleet's).
   */

  /** Records a completion (or an excluded error, passed as `excluded`). */
  succeed(permit: Permit, call: CallInfo, excluded?: { error: unknown }): MaybePromise<void> {
    if (this.disposed) return;
    const now = this.timesSuccesses ? this.now() : call.startedAt;
    const recorded = this.store.recordSuccess(permit, now, now - call.startedAt);
    if (!(recorded instanceof Promise)) return this.succeeded(recorded, call, excluded);
    return recorded.then(
      (answer) => this.succeeded(answer, call, excluded),
      (error: unknown) => this.storeFault(error, undefined),
    );
  }

  /** Records an error and returns the error the subscriber should get. */
  fail(permit: Permit, call: CallInfo, error: unknown): MaybePromise<unknown> {
    if (this.disposed) return error;
    // `ignore` wins over `exclude`: an error both name is neutral.
    if (isExcluded(this.ignoreRules, error)) return this.neutral(permit, call, error);
    if (isExcluded(this.excludeRules, error)) {
      return whenReady(this.succeed(permit, call, { error }), () => error);
    }
    return this.recordFailure(permit, call, error, true);
  }

  /**
   * Asks `failWhen` about a value the call emitted; when it accepts the value (or throws), records the call as
   * failed and returns true. The value goes downstream in any case: the caller decides what a 503 means to it.
   */
  failsOn(permit: Permit, call: CallInfo, value: unknown): boolean {
    const { failWhen } = this;
    if (!failWhen || this.disposed) return false;
    let failure: unknown = value;
    try {
      if (!failWhen(value)) return false;
    } catch (error) {
      failure = error;
    }
    void this.recordFailure(permit, call, failure, false);
    return true;
  }

  /**
   * Records a failure: an error (`thrown`: what the subscriber should get is returned) or a value `failWhen`
   * accepted (delivered unchanged, even when it trips the circuit).
   */
  private recordFailure(
    permit: Permit,
    call: CallInfo,
    error: unknown,
    thrown: boolean,
  ): MaybePromise<unknown> {
    const now = this.now();
    return whenReady(
      this.store.recordFailure(permit, now, now - call.startedAt, error),
      ({ counted, transition, state }) => {
        const time = this.now();
        const duration = time - call.startedAt;
        this.emit(
          counted
            ? this.markSlow({
                type: 'failure',
                time,
                error,
                failCounter: state.failCounter,
                duration,
              })
            : this.markSlow({ type: 'ignored', time, outcome: 'failure', error, duration }),
          call,
          this.transitionEvent(transition, error),
        );
        if (!thrown || transition?.to !== 'open' || !this.throwNewErrorOnTrip) return error;
        const kind = transition.reason === 'trial_failure' ? 'trial-failed' : 'tripped';
        // The trip error keeps its stack (it shows where the failing call was made).
        return new CircuitBreakerError(kind, this.name, 'open', { cause: error });
      },
      (storeError) => this.storeFault(storeError, error),
    );
  }

  /** An ignored error: neither success nor failure; its trial slot is given back. */
  private neutral(permit: Permit, call: CallInfo, error: unknown): unknown {
    this.store.release(permit);
    if (this.callsObserved()) {
      const time = this.now();
      this.emit({ type: 'neutral', time, error, duration: time - call.startedAt }, call);
    }
    return error;
  }

  /** A call unsubscribed before it delivered anything: not counted, and its trial slot is given back. */
  cancel(permit: Permit, call: CallInfo): void {
    if (this.disposed) return;
    this.store.release(permit);
    if (this.callsObserved()) {
      const time = this.now();
      this.emit({ type: 'cancelled', time, duration: time - call.startedAt }, call);
    }
  }

  private admitted(
    { permit, transition, state }: Admission,
    call: CallInfo,
  ): Permit | CircuitBreakerError {
    const transitionEvent = this.transitionEvent(transition);
    if (permit) {
      const trial = state.name === 'half-open';
      if (this.callsObserved()) {
        this.emit(transitionEvent, call, { type: 'call', time: call.startedAt, trial });
      } else if (transitionEvent) {
        this.emit(transitionEvent, call);
      }
      return permit;
    }
    this.emit(transitionEvent, call, { type: 'rejected', time: call.startedAt, state: state.name });
    if (state.name === 'open')
      return refusalError('open', this.name, 'open', halfOpenAt(state, this.settings));
    const kind = state.name === 'isolated' ? 'isolated' : 'trials-busy';
    return refusalError(kind, this.name, state.name);
  }

  private succeeded(
    { counted, transition }: Recorded,
    call: CallInfo,
    excluded?: { error: unknown },
  ): void {
    const transitionEvent = this.transitionEvent(transition);
    if (this.callsObserved()) {
      const time = this.now();
      const duration = time - call.startedAt;
      this.emit(
        excluded
          ? counted
            ? this.markSlow({ type: 'success', time, error: excluded.error, duration })
            : this.markSlow({
                type: 'ignored',
                time,
                outcome: 'success',
                error: excluded.error,
                duration,
              })
          : counted
            ? this.markSlow({ type: 'success', time, duration })
            : this.markSlow({ type: 'ignored', time, outcome: 'success', duration }),
        call,
        transitionEvent,
      );
    } else if (transitionEvent) {
      this.emit(transitionEvent, call);
    }
  }

  private force(to: CircuitState): Promise<void> {
    // A disposed breaker has let go of its circuit: moving it (the fleet's, with a shared store) is a mistake.
    if (this.disposed) return Promise.reject(refusalError('disposed', this.name, this.state));
    // A store that cannot make this transition at all throws: the promise rejects (a fault would resolve it).
    return new Promise((resolve) => {
      resolve(
        whenReady(
          this.store.force(to, this.now()),
          ({ transition }) => this.noteTransition(transition),
          (error) => this.storeFault(error, undefined),
        ),
      );
    });
  }

  private noteTransition(transition: Transition | undefined): void {
    const event = this.transitionEvent(transition);
    if (event) this.emit(event);
  }

  /**
   * The event for a transition the store just made, with its cause and the counters after it; (re)arms the
   * deadline timer for the new state.
   */
  private transitionEvent(
    transition: Transition | undefined,
    cause?: unknown,
  ): TransitionEvent | undefined {
    if (!transition) return undefined;
    this.scheduleDeadline();
    const state = this.store.state;
    return {
      type: 'transition',
      time: this.now(),
      ...transition,
      cause,
      failCounter: state.failCounter,
      successCounter: state.name === 'half-open' ? state.successCounter : 0,
    };
  }

  /**
   * Arms the timer for the state's next deadline (an open circuit's retry time, a half-open one's
   * `maxHalfOpenWait`), so that `state$` moves at that moment, without keeping the process alive.
   */
  private scheduleDeadline(): void {
    this.deadlineTimer?.unsubscribe();
    this.deadlineTimer = undefined;
    const deadline = this.deadline();
    if (deadline !== undefined) this.armDeadlineTimer(deadline - this.now());
  }

  /** The state's next deadline; none when disposed, closed, isolated or disabled. */
  private deadline(): number | undefined {
    return this.disposed ? undefined : nextDeadline(this.store.state, this.settings);
  }

  private armDeadlineTimer(delay: number): void {
    // A longer timeout is waited for in steps: Node fires a longer timer after 1 ms.
    const step = Math.min(Math.max(0, delay), longestTimerDelay);
    this.deadlineTimer = unrefTimer(this.scheduler.schedule(deadlineTimerFired, step, this));
  }

  /** The deadline timer fired: at the deadline, or after one step of a longer wait. */
  onDeadlineTimer(): void {
    const deadline = this.deadline();
    if (deadline === undefined) return;
    const remaining = deadline - this.now();
    if (remaining > 0) return this.armDeadlineTimer(remaining);
    void whenReady(
      this.store.settle(this.now()),
      (step) => this.settled(step),
      (error) => this.settled(this.storeFault(error, undefined)),
    );
  }

  /** The store's answer to the deadline timer: a transition, or "not yet" (then the timer waits again). */
  private settled(step: Step | undefined): void {
    if (step?.transition) return this.noteTransition(step.transition);
    const deadline = this.deadline();
    if (deadline === undefined) return;
    // The store's clock (Redis's) may run a little behind this process's estimate: wait at least 1 ms more.
    this.armDeadlineTimer(Math.max(1, deadline - this.now()));
  }

  /** The event, marked `slow` when the call was (slow calls are tracked only with `slowCallRate`). */
  private markSlow<E extends SuccessEvent | FailureEvent | IgnoredEvent>(event: E): E {
    return isSlow(event.duration, this.settings) ? { ...event, slow: true } : event;
  }

  private storeFault<T>(error: unknown, fallback: T): T {
    this.emit({ type: 'store-error', time: this.now(), error });
    return fallback;
  }

  /** Whether anyone listens to the events of ordinary calls; if not, they are not even built. */
  private callsObserved(): boolean {
    return this.eventHub?.observed === true || this.observerWantsCalls;
  }

  /**
   * Delivers `event`, then `next` (what it led to), to telemetry and subscribers. Events raised by a subscriber
   * while these are delivered (it made a call, or a transition) wait their turn, as a subject's re-entrant
   * `next`s do: every subscriber sees every event in the order it happened, and the last one is the state in
   * force.
   */
  private emit(
    event: CircuitBreakerEvent | undefined,
    call?: CallInfo,
    next?: CircuitBreakerEvent,
  ): void {
    if (this.emitting || !event) {
      if (event) this.postpone(event, call);
      if (next) this.emit(next, call);
      return;
    }
    this.emitting = true;
    try {
      if (next) this.postpone(next, call);
      this.deliver(event, call);
      for (let waiting = this.backlog?.shift(); waiting; waiting = this.backlog?.shift()) {
        this.deliver(waiting.event, waiting.call);
      }
    } finally {
      this.emitting = false;
    }
  }

  private postpone(event: CircuitBreakerEvent, call: CallInfo | undefined): void {
    (this.backlog ??= []).push({ event, call });
  }

  private deliver(event: CircuitBreakerEvent, call: CallInfo | undefined): void {
    try {
      this.observer?.onEvent(event, call);
    } catch {
      // Instrumentation must never break a call; a broken exporter loses telemetry, not results.
    }
    this.eventHub?.next(event);
  }

  /** The breaker scheduler's clock (every time the breaker and its store see comes from it). */
  now(): number {
    return this.scheduler.now();
  }
}

function deadlineTimerFired(this: SchedulerAction<Breaker>, breaker?: Breaker): void {
  breaker?.onDeadlineTimer();
}
