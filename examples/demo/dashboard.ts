import http from 'node:http';
import type { AddressInfo } from 'node:net';
// In an application: import { breakerRegistry } from 'rxjs-circuit-breaker' and
// import { adminHandler } from 'rxjs-circuit-breaker/admin'.
import { adminHandler } from '../../src/admin/index.js';
import { breakerRegistry } from '../../src/index.js';

/** The dashboard of every breaker in this process, served on loopback. */
export interface Dashboard {
  readonly url: string;
  /** Stops the server and ends open pages' event streams, so the demo exits on time. */
  close(): void;
}

/**
 * Serves the default registry's dashboard on a free loopback port. Only this machine can reach it, so every
 * request is authorized; the server never keeps the process alive.
 */
export async function startDashboard(): Promise<Dashboard> {
  const server = http.createServer(adminHandler(breakerRegistry(), { authorize: () => true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
