import { Observable } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { Breaker } from './Breaker.js';
import { whenReady } from './core/maybePromise.js';
import type { Permit } from './core/stateMachine.js';

/**
 * Runs `source` as one call through `breaker`, once per subscription.
 *
 * @remarks
 * Permission is taken at subscribe time, so `retry()` and re-subscription are checked every time. `error` is a
 * failure (unless excluded) and `complete` a success; the breaker records either before the subscriber hears of
 * it. Unsubscribing after at least one value counts as a success (`take(1)`, `firstValueFrom`); unsubscribing
 * before any value is not counted and gives a half-open trial slot back.
 */
export function protect<T>(breaker: Breaker, source: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const call = breaker.begin();
    let inner: Subscription | undefined;
    let permit: Permit | undefined;
    let delivered = false;
    let finished = false;

    const run = (granted: Permit) => {
      permit = granted;
      // A synchronous source can go on after the subscriber has left (its subscription is not returned
      // yet, so nothing can stop it): what it does then is not the call's outcome; the teardown counts
      // the call instead.
      inner = source.subscribe({
        next: (value) => {
          if (subscriber.closed) return;
          delivered = true;
          subscriber.next(value);
        },
        error: (error: unknown) => {
          if (subscriber.closed) return;
          finished = true;
          void whenReady(breaker.fail(granted, call, error), (e) => subscriber.error(e), rethrowNever);
        },
        complete: () => {
          if (subscriber.closed) return;
          finished = true;
          void whenReady(breaker.succeed(granted, call), () => subscriber.complete(), rethrowNever);
        },
      });
      // With an asynchronous store the teardown can run before `inner` is known to it (the subscriber
      // left during a synchronous emission): stop the source here, or it would run on unheard.
      if (subscriber.closed) inner.unsubscribe();
    };

    void whenReady(
      breaker.admit(call),
      (admission) => {
        if ('refusal' in admission) subscriber.error(admission.refusal);
        else if (subscriber.closed) breaker.cancel(admission.permit, call);
        else run(admission.permit);
      },
      rethrowNever,
    );

    return () => {
      inner?.unsubscribe();
      if (!permit || finished) return;
      finished = true;
      if (delivered) void breaker.succeed(permit, call);
      else breaker.cancel(permit, call);
    };
  });
}

/** The breaker's own methods never reject: they turn store faults into events and fallbacks. */
function rethrowNever(): void {
  // Nothing to do: see above.
}
