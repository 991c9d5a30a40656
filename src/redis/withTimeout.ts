import type { SchedulerLike } from 'rxjs';
import { unrefTimer } from '../breaker/unrefTimer.js';

/**
 * Settles like `work`, or rejects with `onTimeout()` after `timeout` ms on `scheduler`, whichever comes first.
 * A late result of `work` is dropped, and its late rejection is handled, so it never becomes unhandled.
 */
export function withTimeout<T>(
  work: PromiseLike<T>,
  timeout: number,
  scheduler: SchedulerLike,
  onTimeout: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = unrefTimer(scheduler.schedule(() => reject(onTimeout()), timeout));
    work.then(
      (value) => {
        timer.unsubscribe();
        resolve(value);
      },
      (error: unknown) => {
        timer.unsubscribe();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
