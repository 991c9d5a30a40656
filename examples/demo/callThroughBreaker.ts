import { catchError, defer, finalize, map, of, tap } from 'rxjs';
import type { Observable } from 'rxjs';
import type { CircuitBreaker } from '../../src/index.js';
import type { Outcome } from './palette.js';
import { requestService } from './requestService.js';

/**
 * Which call's outcome the breaker is judging right now: the second it was made in. A transition seen while it is
 * set was caused by that call, and belongs to that call's row of the timeline, however late the outcome came.
 */
export interface Judging {
  second?: number;
}

const requestTimeoutMs = 2000;

/**
 * One call made in second `second`: a GET through the breaker. The source is only subscribed when the breaker
 * admits the call, so `reachedService` tells a refusal from a failure (the call that trips the circuit also
 * fails with a `CircuitBreakerError`, but it did reach the service).
 */
export function callThroughBreaker(
  breaker: CircuitBreaker,
  url: string,
  second: number,
  judging: Judging,
): Observable<Outcome> {
  let reachedService = false;
  const request$ = defer(() => {
    reachedService = true;
    return requestService(url, requestTimeoutMs);
  });
  const judged = () => (judging.second = second);
  return request$.pipe(
    tap({ next: judged, error: judged, complete: judged }),
    breaker,
    map((): Outcome => 'success'),
    catchError(() => of<Outcome>(reachedService ? 'failure' : 'rejected')),
    finalize(() => (judging.second = undefined)),
  );
}
