/**
 * A fallback with `catchError` when the circuit breaker refuses a call.
 *
 * While the circuit is closed, the live price is served and a plain failure reaches the caller. When the
 * breaker trips or refuses (a `CircuitBreakerError`), the last known price is served instead, marked stale.
 *
 * Run: node --import tsx examples/fallback.ts
 */
import { catchError, concatMap, from, lastValueFrom, map, of, tap, throwError } from 'rxjs';
// In an application: import { circuitBreaker, isCircuitBreakerError } from 'rxjs-circuit-breaker';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';

interface Quote {
  readonly price: number;
  readonly stale: boolean;
}

const breaker = circuitBreaker({ name: 'pricing', failMax: 2, resetTimeout: 30_000 });

let serviceUp = true;
let lastKnownPrice = 0;
const fetchPrice = (): Promise<number> =>
  serviceUp ? Promise.resolve(42) : Promise.reject(new Error('pricing service down'));

const quote$ = breaker.execute(fetchPrice).pipe(
  tap((price) => (lastKnownPrice = price)),
  map((price): Quote => ({ price, stale: false })),
  catchError((error: unknown) =>
    isCircuitBreakerError(error)
      ? of<Quote>({ price: lastKnownPrice, stale: true })
      : throwError(() => error),
  ),
);

const ask = (call: number) => {
  if (call === 2) serviceUp = false;
  return quote$.pipe(
    map(
      (quote) => `quote ${call}: ${quote.price}${quote.stale ? ' (stale, from the fallback)' : ''}`,
    ),
    catchError((error: unknown) => of(`quote ${call}: error "${(error as Error).message}"`)),
    map((line) => `${line}; circuit ${breaker.state}`),
  );
};

await lastValueFrom(
  from([1, 2, 3, 4]).pipe(
    concatMap(ask),
    map((line) => console.log(line)),
  ),
);
breaker.dispose();
