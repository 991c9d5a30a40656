import { Observable, Subject, defer, distinctUntilChanged, filter, map, startWith } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { BreakerObserver, CallInfo } from './BreakerObserver.js';
import { CircuitBreakerError } from './CircuitBreakerError.js';
import type {
  CircuitBreakerEvent,
  FailureEvent,
  RejectedEvent,
  SuccessEvent,
} from './CircuitBreakerEvent.js';
import type { CircuitState, Transition } from '../core/CircuitState.js';
import type { BreakerSettings } from '../core/BreakerState.js';
import { whenReady } from '../core/maybePromise.js';
import type { Admission, Permit, Recorded } from '../core/stateMachine.js';
import { halfOpenAt } from '../core/stateMachine.js';
import type { MaybePromise, StateStore } from '../core/StateStore.js';
import { isExcluded } from '../config/isExcluded.js';
import { unrefTimer } from './unrefTimer.js';
import type { ResolvedConfig } from '../config/validateConfig.js';
import { validateSetting, validateStore } from '../config/validateConfig.js';

/** Admits a call but never counts its outcome: used when a faulty store gives no answer. */
const uncountedPermit: Permit = { generation: -1 };

const messages = {
  open: 'Timeout not elapsed yet, circuit breaker still open',
  trialsBusy: 'Trial calls in progress, circuit breaker half-open',
  failure_threshold: 'Failures threshold reached, circuit breaker opened',
  trial_failure: 'Trial call failed, circuit breaker opened',
  disposed: 'Circuit breaker disposed',
};

/**
 * One breaker's state, rules and streams. {@link circuitBreaker} exposes it as a callable operator; the
 * per-subscription work lives in `protect.ts`.
 */
export class Breaker {
  readonly name: string;
  readonly events$: Observable<CircuitBreakerEvent>;
  readonly transition$: Observable<Transition>;
  readonly state$: Observable<CircuitState>;
  readonly failure$: Observable<FailureEvent>;
  readonly success$: Observable<SuccessEvent>;
  readonly rejected$: Observable<RejectedEvent>;

  private readonly settings: { -readonly [K in keyof BreakerSettings]: BreakerSettings[K] } & {
    resetTimeout: number;
  };
  private readonly store: StateStore;
  private readonly events = new Subject<CircuitBreakerEvent>();
  private halfOpenTimer?: Subscription;
  private disposed = false;
  private readonly observersWantCalls: boolean;
  /** The observer that captures a context per call (the tracer), if any. */
  private readonly contextCapturer?: BreakerObserver;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly observers: readonly BreakerObserver[] = [],
  ) {
    const { name, failMax, resetTimeout, successThreshold, halfOpenMaxCalls, scheduler } = config;
    this.name = name;
    this.observersWantCalls = observers.some((observer) => observer.observesCalls !== false);
    this.contextCapturer = observers.find((observer) => observer.captureContext !== undefined);
    this.settings = { failMax, resetTimeout, successThreshold, halfOpenMaxCalls };
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
    this.events$ = this.events.asObservable();
    this.transition$ = this.events$.pipe(
      filter((event) => event.type === 'transition'),
      map(({ from, to, reason }) => ({ from, to, reason })),
    );
    this.state$ = defer(() =>
      this.transition$.pipe(
        map(({ to }) => to),
        startWith(this.state),
      ),
    ).pipe(distinctUntilChanged());
    this.failure$ = this.events$.pipe(filter((event) => event.type === 'failure'));
    this.success$ = this.events$.pipe(filter((event) => event.type === 'success'));
    this.rejected$ = this.events$.pipe(filter((event) => event.type === 'rejected'));
    this.scheduleHalfOpen();
  }

  /** The state now; an open circuit whose reset timeout has elapsed already reads as half-open. */
  get state(): CircuitState {
    const state = this.store.state;
    if (state.name === 'open' && this.now() >= halfOpenAt(state, this.settings)) return 'half-open';
    return state.name;
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

  get resetTimeout(): number {
    return this.settings.resetTimeout;
  }

  set resetTimeout(value: number) {
    validateSetting('resetTimeout', value);
    this.settings.resetTimeout = value;
    this.scheduleHalfOpen();
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

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.halfOpenTimer?.unsubscribe();
    this.store.dispose();
    this.events.complete();
  }

  /** Called when a call is subscribed, before it is admitted. */
  begin(): CallInfo {
    return { startedAt: this.now(), context: this.contextCapturer?.captureContext?.() };
  }

  /*
   * admit() and succeed() run on every call, so they handle a synchronous store's answer without allocating
   * closures; only a promise from the store takes the `then` path.
   */

  /** Returns the call's permit, or the error that refuses it. */
  admit(call: CallInfo): MaybePromise<Permit | CircuitBreakerError> {
    if (this.disposed) return this.refusal(messages.disposed, this.state);
    const admission = this.store.acquire(call.startedAt);
    if (!(admission instanceof Promise)) return this.admitted(admission, call);
    return admission.then(
      (answer) => this.admitted(answer, call),
      (error: unknown) => this.storeFault(error, uncountedPermit),
    );
  }

  /** Records a completion (or an excluded error, passed as `excluded`). */
  succeed(permit: Permit, call: CallInfo, excluded?: { error: unknown }): MaybePromise<void> {
    const now = this.now();
    const recorded = this.store.recordSuccess(permit, now, now - call.startedAt);
    if (!(recorded instanceof Promise)) return this.succeeded(recorded, call, excluded);
    return recorded.then(
      (answer) => this.succeeded(answer, call, excluded),
      (error: unknown) => this.storeFault(error, undefined),
    );
  }

  /** Records an error and returns the error the subscriber should get. */
  fail(permit: Permit, call: CallInfo, error: unknown): MaybePromise<unknown> {
    if (isExcluded(this.config.exclude, error)) {
      return whenReady(this.succeed(permit, call, { error }), () => error);
    }
    const now = this.now();
    return whenReady(
      this.store.recordFailure(permit, now, now - call.startedAt, error),
      ({ counted, transition, state }) => {
        const time = this.now();
        const duration = time - call.startedAt;
        this.emit(
          counted
            ? { type: 'failure', time, error, failCounter: state.failCounter, duration }
            : { type: 'ignored', time, outcome: 'failure', error, duration },
          call,
        );
        this.noteTransition(transition, call);
        if (transition?.to !== 'open' || !this.config.throwNewErrorOnTrip) return error;
        return this.tripError(
          messages[transition.reason === 'trial_failure' ? 'trial_failure' : 'failure_threshold'],
          error,
        );
      },
      (storeError) => this.storeFault(storeError, error),
    );
  }

  /** A call unsubscribed before it delivered anything: not counted, and its trial slot is given back. */
  cancel(permit: Permit, call: CallInfo): void {
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
    this.noteTransition(transition, call);
    if (permit) {
      if (this.callsObserved()) {
        this.emit({ type: 'call', time: call.startedAt, trial: state.name === 'half-open' }, call);
      }
      return permit;
    }
    this.emit({ type: 'rejected', time: call.startedAt, state: state.name }, call);
    return this.refusal(state.name === 'open' ? messages.open : messages.trialsBusy, state.name);
  }

  private succeeded(
    { counted, transition }: Recorded,
    call: CallInfo,
    excluded?: { error: unknown },
  ): void {
    if (this.callsObserved()) {
      const time = this.now();
      const duration = time - call.startedAt;
      this.emit(
        excluded
          ? counted
            ? { type: 'success', time, error: excluded.error, duration }
            : { type: 'ignored', time, outcome: 'success', error: excluded.error, duration }
          : counted
            ? { type: 'success', time, duration }
            : { type: 'ignored', time, outcome: 'success', duration },
        call,
      );
    }
    this.noteTransition(transition, call);
  }

  private force(to: CircuitState): Promise<void> {
    return Promise.resolve(
      whenReady(
        this.store.force(to, this.now()),
        ({ transition }) => this.noteTransition(transition),
        (error) => this.storeFault(error, undefined),
      ),
    );
  }

  private noteTransition(transition: Transition | undefined, call?: CallInfo): void {
    if (!transition) return;
    // retryAt reaches the streams with phase 2 of issue 10 (TransitionEvent has no such field yet).
    const { from, to, reason } = transition;
    this.emit({ type: 'transition', time: this.now(), from, to, reason }, call);
    this.scheduleHalfOpen();
  }

  /** Emits `'half-open'` at the moment the reset timeout elapses, without keeping the process alive. */
  private scheduleHalfOpen(): void {
    this.halfOpenTimer?.unsubscribe();
    this.halfOpenTimer = undefined;
    const state = this.store.state;
    if (state.name !== 'open' || this.disposed) return;
    const delay = Math.max(0, halfOpenAt(state, this.settings) - this.now());
    this.halfOpenTimer = unrefTimer(
      this.config.scheduler.schedule(() => {
        void whenReady(
          this.store.settle(this.now()),
          ({ transition }) => this.noteTransition(transition),
          (error) => this.storeFault(error, undefined),
        );
      }, delay),
    );
  }

  private storeFault<T>(error: unknown, fallback: T): T {
    this.emit({ type: 'store-error', time: this.now(), error });
    return fallback;
  }

  /** The error of the call that trips the circuit: it keeps its stack, and the original error as `cause`. */
  private tripError(message: string, cause: unknown): CircuitBreakerError {
    return new CircuitBreakerError(message, this.name, 'open', { cause });
  }

  /**
   * The error of a refused call, built without a stack trace: the stack would show only RxJS internals, and
   * capturing it is most of what a refusal costs (an open circuit refuses at the rate calls arrive).
   */
  private refusal(message: string, state: CircuitState): CircuitBreakerError {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new CircuitBreakerError(message, this.name, state);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }

  /** Whether anyone listens to the events of ordinary calls; if not, they are not even built. */
  private callsObserved(): boolean {
    return this.events.observed || this.observersWantCalls;
  }

  private emit(event: CircuitBreakerEvent, call?: CallInfo): void {
    for (const observer of this.observers) {
      try {
        observer.onEvent(event, call);
      } catch {
        // Instrumentation must never break a call; a broken exporter loses telemetry, not results.
      }
    }
    this.events.next(event);
  }

  private now(): number {
    return this.config.scheduler.now();
  }
}
