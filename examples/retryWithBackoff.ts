/**
 * `retry` with exponential backoff around a circuit breaker.
 *
 * Put `retry` after the breaker: every retry is a new subscription, so the breaker checks each attempt. A
 * transient failure is retried after 10 ms, 20 ms, 40 ms...; once the circuit is open, retrying is pointless
 * (the breaker refuses at once), so the delay function gives up on a `CircuitBreakerError`.
 *
 * Run: node --import tsx examples/retryWithBackoff.ts
 */
import { defer, lastValueFrom, retry, throwError, timer } from 'rxjs';
// In an application: import { circuitBreaker, isCircuitBreakerError } from 'rxjs-circuit-breaker';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';

const breaker = circuitBreaker({ name: 'inventory', failMax: 3, resetTimeout: 30_000 });

let attempts = 0;
let failuresLeft = 0;
/** The protected service: fails `failuresLeft` more times, then answers. */
async function fetchStock(): Promise<number> {
  attempts += 1;
  await Promise.resolve();
  if (failuresLeft > 0) {
    failuresLeft -= 1;
    throw new Error('inventory service unavailable');
  }
  return 7;
}

const stock$ = defer(fetchStock).pipe(
  breaker,
  retry({
    count: 5,
    delay: (error: unknown, retryCount) => {
      if (isCircuitBreakerError(error)) return throwError(() => error);
      const backoff = 10 * 2 ** (retryCount - 1);
      console.log(`  attempt ${retryCount} failed, retrying in ${backoff} ms`);
      return timer(backoff);
    },
  }),
);

async function run(label: string, failures: number): Promise<void> {
  attempts = 0;
  failuresLeft = failures;
  console.log(`${label}:`);
  try {
    const stock = await lastValueFrom(stock$);
    console.log(`  stock is ${stock} after ${attempts} attempts; circuit ${breaker.state}`);
  } catch (error: unknown) {
    const reason = isCircuitBreakerError(error) ? error.message : String(error);
    console.log(`  gave up after ${attempts} attempts (${reason}); circuit ${breaker.state}`);
  }
}

await run('a transient fault (2 failures)', 2);
await run('an outage (the service keeps failing)', Infinity);
await run('the next call, while the circuit is open', Infinity);
breaker.dispose();
