import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running flaky service. */
export interface FlakyService {
  /** Where to call it. */
  readonly url: string;
  /** Requests it received. */
  readonly requests: number;
  /** Requests it received while it was down (and answered 503). */
  readonly requestsWhileDown: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP service on a free loopback port that answers `200 {"ok":true}`, or `503` while `isDown()`
 * says it is down.
 *
 * @param isDown - Asked on every request, as it arrives.
 * @param latencyMs - How long each answer takes.
 */
export async function startFlakyService(
  isDown: () => boolean,
  latencyMs = 0,
): Promise<FlakyService> {
  let requests = 0;
  let requestsWhileDown = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    const down = isDown();
    if (down) requestsWhileDown += 1;
    const answer = () => {
      response.writeHead(down ? 503 : 200, { 'content-type': 'application/json' });
      response.end(down ? '{"error":"service unavailable"}' : '{"ok":true}');
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get requests() {
      return requests;
    },
    get requestsWhileDown() {
      return requestsWhileDown;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
