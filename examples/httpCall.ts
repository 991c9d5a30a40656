/**
 * Piping an HTTP call through a circuit breaker, with RxJS's `fromFetch`.
 *
 * The example starts its own small price service on a free loopback port (no internet needed), calls it
 * twice while it is healthy, then breaks it: two failures open the circuit, and the next call is refused
 * without a request being sent.
 *
 * Run: node --import tsx examples/httpCall.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catchError, concatMap, lastValueFrom, map, of, range } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
// In an application: import { circuitBreaker, isCircuitBreakerError } from 'rxjs-circuit-breaker';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';

interface Price {
  readonly sku: string;
  readonly price: number;
}

let healthy = true;
let requestsServed = 0;
const server = createServer((_request, response) => {
  requestsServed += 1;
  response.statusCode = healthy ? 200 : 503;
  response.setHeader('content-type', 'application/json');
  response.end(healthy ? JSON.stringify({ sku: 'tea', price: 42 }) : '{"error":"overloaded"}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prices/tea`;

const breaker = circuitBreaker({ name: 'prices', failMax: 2, resetTimeout: 30_000 });

/** One HTTP call: a non-2xx status is an error, so the breaker counts it as a failure. */
function getPrice() {
  return fromFetch(url, {
    selector: async (response) => {
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      return (await response.json()) as Price;
    },
  });
}

const describeCall = (call: number) =>
  getPrice().pipe(
    breaker,
    map((price) => `call ${call}: ${price.sku} costs ${price.price}`),
    catchError((error: unknown) => of(`call ${call}: ${describeError(error)}`)),
    map((line) => `${line}; circuit ${breaker.state}`),
  );

/** A refusal carries no `cause`; the call that trips the circuit carries the HTTP error as its `cause`. */
function describeError(error: unknown): string {
  if (!isCircuitBreakerError(error)) return `failed with ${String(error)}`;
  const { cause } = error;
  if (cause instanceof Error) return `failed with ${String(cause)}, which tripped the breaker`;
  return `refused without sending a request (${error.message})`;
}

await lastValueFrom(
  range(1, 5).pipe(
    concatMap((call) => {
      if (call === 3) healthy = false; // the service starts answering 503
      return describeCall(call);
    }),
    map((line) => console.log(line)),
  ),
);
console.log(`5 calls, ${requestsServed} requests reached the service`);

breaker.dispose();
server.closeAllConnections();
server.close();
