import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** An HTTP server on loopback answering every request with `status`, counting the requests that reached it. */
export interface FlakyServer {
  status: number;
  /** The body of every answer; by default, the status as text. */
  body?: string;
  hits: number;
  readonly url: string;
}

/** Starts a flaky server before the spec file's tests and closes it after them. */
export function useFlakyServer(): FlakyServer {
  const flaky: { -readonly [K in keyof FlakyServer]: FlakyServer[K] } = {
    status: 200,
    hits: 0,
    url: '',
  };
  const server = createServer((_request, response) => {
    flaky.hits++;
    response
      .writeHead(flaky.status, { 'content-type': 'text/plain' })
      .end(flaky.body ?? String(flaky.status));
  });
  beforeAll(async () => {
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    flaky.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  });
  return flaky;
}
