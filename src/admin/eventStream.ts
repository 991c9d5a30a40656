import type { IncomingMessage, ServerResponse } from 'node:http';
import { asyncScheduler, interval, map, merge } from 'rxjs';
import type { BreakerRegistry } from '../registry/BreakerRegistry.js';

/** How often the stream sends a snapshot even when nothing changed state: the page's rates and sparklines. */
const refreshEvery = 1_000;

/**
 * Serves the registry as server-sent events: `snapshot` (`{ now, breakers }`, on connect, after each coalesced
 * change and every second) and `transition` (`{ name, id, event }`, as each happens). `now` lets the page count
 * down to `retryAt` on the server's clock.
 */
export function serveEventStream(
  registry: BreakerRegistry,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write('retry: 2000\n\n');
  const snapshots = merge(
    registry.snapshot$,
    interval(refreshEvery).pipe(map(() => registry.snapshot())),
  );
  const subscription = merge(
    snapshots.pipe(map((breakers) => message('snapshot', { now: asyncScheduler.now(), breakers }))),
    registry.transition$.pipe(map((transition) => message('transition', transition))),
  ).subscribe((text) => response.write(text));
  request.once('close', () => subscription.unsubscribe());
  response.once('close', () => subscription.unsubscribe());
}

function message(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
