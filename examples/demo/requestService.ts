import { timeout } from 'rxjs';
import type { Observable } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';

/** A non-2xx answer, as an error, so that the breaker counts it as a failure. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';

  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/**
 * One GET request with `fromFetch`: emits the status and completes on a 2xx answer, errors with an
 * {@link HttpStatusError} otherwise, and gives up (aborting the request) after `timeoutMs`.
 */
export function requestService(url: string, timeoutMs: number): Observable<number> {
  return fromFetch(url, {
    selector: async (response) => {
      await response.body?.cancel(); // the body is not needed: drop it so the connection is reused
      if (!response.ok) throw new HttpStatusError(response.status);
      return response.status;
    },
  }).pipe(timeout({ first: timeoutMs }));
}
