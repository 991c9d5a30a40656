import { Observable, Subscriber } from 'rxjs';
import type { Breaker } from './Breaker.js';
import type { CallInfo } from './BreakerObserver.js';
import { CircuitBreakerError } from './CircuitBreakerError.js';
import { whenReady } from '../core/maybePromise.js';
import type { Permit } from '../core/stateMachine.js';

/**
 * Runs `source` as one call through `breaker`, once per subscription.
 *
 * @remarks
 * Permission is taken at subscribe time, so `retry()` and re-subscription are checked every time. `error` is a
 * failure (unless excluded) and `complete` a success; the breaker records either before the subscriber hears of
 * it. Unsubscribing after at least one value counts as a success (`take(1)`, `firstValueFrom`); unsubscribing
 * before any value is not counted and gives a half-open trial slot back. A value `failWhen` accepts is the call's
 * outcome (a failure, recorded before the value is delivered): what follows it is delivered and not counted.
 */
export function protect<T>(breaker: Breaker, source: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    new ProtectedCall(breaker, subscriber).start(source);
  });
}

/**
 * One subscription's call: the subscriber the source is subscribed with, the teardown the caller's subscriber
 * holds, and the `CallInfo` the breaker and its observer see (one object per call instead of a handful of
 * objects and closures: this is the hot path).
 *
 * @remarks
 * It extends RxJS's `Subscriber` so that `source.subscribe(call)` takes it as it is: a plain observer would be
 * wrapped in a `SafeSubscriber` and its observer, two more objects and two more calls per value (the choice, and
 * what it gains, is in docs/BENCHMARKS.md). It overrides only the public `Observer` methods and `unsubscribe`,
 * and forwards to the caller's subscriber itself, relying on none of `Subscriber`'s protected internals.
 */
class ProtectedCall<T> extends Subscriber<T> implements CallInfo {
  readonly startedAt: number;
  readonly context: unknown;
  private permit?: Permit;
  private delivered = false;
  /** The call's outcome is recorded (or the call was cancelled): nothing after it counts. */
  private finished = false;

  constructor(
    private readonly breaker: Breaker,
    private readonly subscriber: Subscriber<T>,
  ) {
    // No destination for `Subscriber` to chain: this class forwards to `subscriber` itself (the constructor is
    // marked deprecated for RxJS 8; see the class comment).
    super();
    this.startedAt = breaker.now();
    this.context = breaker.captureContext();
  }

  start(source: Observable<T>): void {
    const admission = this.breaker.admit(this);
    if (admission instanceof Promise) void admission.then((answer) => this.run(source, answer));
    else this.run(source, admission);
  }

  /*
   * Once the call has left (unsubscribed, or ended), `closed` is true: a synchronous source sees it and stops,
   * and what it does meanwhile is not the call's outcome (unsubscribe() counted the call).
   */

  override next(value: T): void {
    if (this.closed) return;
    this.delivered = true;
    // The source runs only once the call holds its permit.
    const permit = this.permit;
    if (permit && !this.finished && this.breaker.failsOn(permit, this, value)) this.finish();
    this.subscriber.next(value);
    // The caller left on this value (`take(1)`) while the source was still being subscribed, before the call
    // joined the caller's teardowns (see run()): leave now, so that the source stops.
    if (this.subscriber.closed) this.unsubscribe();
  }

  override error(error: unknown): void {
    if (this.closed || !this.permit) return;
    if (this.finished) {
      this.subscriber.error(error);
    } else {
      this.finish();
      const { subscriber } = this;
      // The breaker's promises never reject: it turns store faults into events and fallbacks.
      void whenReady(this.breaker.fail(this.permit, this, error), (forwarded) =>
        subscriber.error(forwarded),
      );
    }
    // The source ended: its teardown runs. With a synchronous store the caller's subscriber has already ended
    // and unsubscribed the call (the order of any RxJS operator: the caller first, then the source's teardown);
    // with an asynchronous one, it runs now, before the store answers.
    this.unsubscribe();
  }

  override complete(): void {
    if (this.closed || !this.permit) return;
    if (this.finished) {
      this.subscriber.complete();
    } else {
      this.finish();
      // Not whenReady(): no closure on the hot path.
      const recorded = this.breaker.succeed(this.permit, this);
      if (recorded instanceof Promise) void recorded.then(() => this.subscriber.complete());
      else this.subscriber.complete();
    }
    this.unsubscribe();
  }

  /** The subscriber left, or the source ended: the source's teardown runs, and a call left unfinished counts. */
  override unsubscribe(): void {
    if (this.closed) return;
    super.unsubscribe();
    if (!this.permit || this.finished) return;
    this.finish();
    if (this.delivered) void this.breaker.succeed(this.permit, this);
    else this.breaker.cancel(this.permit, this);
  }

  private finish(): void {
    this.finished = true;
    this.breaker.callsInFlight--;
  }

  private run(source: Observable<T>, admission: Permit | CircuitBreakerError): void {
    if (admission instanceof CircuitBreakerError) return this.subscriber.error(admission);
    if (this.subscriber.closed) return this.breaker.cancel(admission, this);
    this.permit = admission;
    // operations: groups never evict a breaker with a call in flight, nor one used since their last sweep.
    this.breaker.callsInFlight++;
    this.breaker.callsAdmitted++;
    // A subscriber: the source keeps it as it is, and adds its teardown to it (run when the call unsubscribes).
    source.subscribe(this);
    // Only a call still running joins the caller's teardowns: a synchronous source has usually ended it already,
    // and a refusal never gets here (neither allocates the caller's list of teardowns). The caller leaving then
    // unsubscribes the call and, through it, the source.
    if (this.closed) return;
    if (this.subscriber.closed) return this.unsubscribe();
    this.subscriber.add(this);
  }
}
