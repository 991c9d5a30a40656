import { Observable } from 'rxjs';
import type { Observer, Subscriber, Subscription, Unsubscribable } from 'rxjs';
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
    const call = new ProtectedCall(breaker, subscriber);
    call.start(source);
    // The call is its own teardown: no closure per call.
    return call;
  });
}

/**
 * One subscription's call. It is its own observer of the source and its own teardown (one object per call
 * instead of a handful of closures: this is the hot path).
 */
class ProtectedCall<T> implements Observer<T>, Unsubscribable {
  private readonly info: CallInfo;
  private permit?: Permit;
  private inner?: Subscription;
  private delivered = false;
  /** The call's outcome is recorded (or the call was cancelled): nothing after it counts. */
  private finished = false;

  constructor(
    private readonly breaker: Breaker,
    private readonly subscriber: Subscriber<T>,
  ) {
    this.info = breaker.begin();
  }

  start(source: Observable<T>): void {
    const admission = this.breaker.admit(this.info);
    if (admission instanceof Promise) void admission.then((answer) => this.run(source, answer));
    else this.run(source, admission);
  }

  /*
   * A synchronous source can go on after the subscriber has left (its subscription is not returned yet, so
   * nothing can stop it): what it does then is not the call's outcome; unsubscribe() counts the call instead.
   */

  next(value: T): void {
    if (this.subscriber.closed) return;
    this.delivered = true;
    // The source runs only once the call holds its permit.
    const permit = this.permit;
    if (permit && !this.finished && this.breaker.failsOn(permit, this.info, value)) this.finish();
    this.subscriber.next(value);
  }

  error(error: unknown): void {
    if (this.subscriber.closed || !this.permit) return;
    if (this.finished) return this.subscriber.error(error);
    this.finish();
    // The breaker's promises never reject: it turns store faults into events and fallbacks.
    void whenReady(this.breaker.fail(this.permit, this.info, error), (forwarded) =>
      this.subscriber.error(forwarded),
    );
  }

  complete(): void {
    if (this.subscriber.closed || !this.permit) return;
    if (this.finished) return this.subscriber.complete();
    this.finish();
    // Not whenReady(): no closure on the hot path.
    const recorded = this.breaker.succeed(this.permit, this.info);
    if (recorded instanceof Promise) void recorded.then(() => this.subscriber.complete());
    else this.subscriber.complete();
  }

  /** The subscriber left (or the call ended). */
  unsubscribe(): void {
    this.inner?.unsubscribe();
    if (!this.permit || this.finished) return;
    this.finish();
    if (this.delivered) void this.breaker.succeed(this.permit, this.info);
    else this.breaker.cancel(this.permit, this.info);
  }

  private finish(): void {
    this.finished = true;
    this.breaker.callsInFlight--;
  }

  private run(source: Observable<T>, admission: Permit | CircuitBreakerError): void {
    if (admission instanceof CircuitBreakerError) return this.subscriber.error(admission);
    if (this.subscriber.closed) return this.breaker.cancel(admission, this.info);
    this.permit = admission;
    // operations: groups never evict a breaker with a call in flight, nor one used since their last sweep.
    this.breaker.callsInFlight++;
    this.breaker.callsAdmitted++;
    this.inner = source.subscribe(this);
    // With an asynchronous store unsubscribe() can run before `inner` is known to it (the subscriber left during a
    // synchronous emission): stop the source here, or it would run on unheard.
    if (this.subscriber.closed) this.inner.unsubscribe();
  }
}
