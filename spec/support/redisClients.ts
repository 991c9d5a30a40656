import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { lastValueFrom, throwError } from 'rxjs';
import type { CircuitBreaker, CircuitBreakerEvent, Transition } from '../../src/index.js';

/** The client flavours the store must work with. */
export type ClientKind = 'ioredis6-resp3' | 'ioredis6-resp2' | 'ioredis5';

export const clientKinds: readonly ClientKind[] = ['ioredis6-resp3', 'ioredis6-resp2', 'ioredis5'];

/** The client options the specs vary (both ioredis majors accept them). */
export interface ConnectOptions {
  readonly retryStrategy?: (times: number) => number | null;
  readonly lazyConnect?: boolean;
  readonly stringNumbers?: boolean;
  readonly keyPrefix?: string;
}

/** Opens a client of one flavour on a local port; the test closes it. */
export function connect(
  port: number,
  kind: ClientKind = 'ioredis6-resp3',
  options: ConnectOptions = {},
) {
  const protocol = kind === 'ioredis6-resp2' ? 2 : 3;
  const client =
    kind === 'ioredis5'
      ? new Redis5({ port, host: '127.0.0.1', ...options })
      : new Redis({ port, host: '127.0.0.1', protocol, ...options });
  // The fault specs stop the server on purpose: keep ioredis from printing each failed reconnect.
  client.on('error', () => undefined);
  return client;
}

/** Closes a client whatever its state. */
export function close(client: { disconnect(): void }): void {
  client.disconnect();
}

/** Polls `check` every 10 ms until it returns true; fails after `timeout` ms. Returns the time it took. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeout = 5000,
  what = 'condition',
) {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeout)
      throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

/** Calls per command name since the last `CONFIG RESETSTAT`, from `INFO commandstats`. */
export async function commandCalls(client: Redis): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls[match[1]] = Number(match[2]);
  return calls;
}

/** Records every event of a breaker. */
export function recordEvents(breaker: CircuitBreaker) {
  const events: CircuitBreakerEvent[] = [];
  breaker.events$.subscribe((event) => events.push(event));
  return {
    events,
    transitions: (): Transition[] =>
      events.flatMap((e) =>
        e.type === 'transition' ? [{ from: e.from, to: e.to, reason: e.reason }] : [],
      ),
    storeErrors: () => events.flatMap((e) => (e.type === 'store-error' ? [e.error] : [])),
  };
}

/** One successful call through `breaker`; resolves once the breaker has recorded it. */
export function succeed(breaker: CircuitBreaker): Promise<string> {
  return lastValueFrom(breaker.execute(() => Promise.resolve('ok')));
}

/** One failing call through `breaker`; resolves with the error the caller got. */
export function fail(
  breaker: CircuitBreaker,
  error: unknown = new Error('boom'),
): Promise<unknown> {
  return lastValueFrom(breaker.execute(() => throwError(() => error))).then(
    () => {
      throw new Error('the call was expected to fail');
    },
    (received: unknown) => received,
  );
}
