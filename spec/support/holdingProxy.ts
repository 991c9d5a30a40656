import { createServer, connect as connectTcp } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A TCP proxy on loopback to a local server that can hold back what the server sends on its first connection:
 * a reply that reaches the client late, after messages on its other connections (as a slow network delivers it).
 */
export interface HoldingProxy {
  readonly port: number;
  /** Bytes the server sent on the first connection while held, not delivered yet. */
  readonly heldBytes: number;
  /** From now on, keeps what the server sends on the first connection until `release()`. */
  hold(): void;
  /** Delivers what was held, and everything after it at once. */
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(targetPort: number): Promise<HoldingProxy> {
  const sockets: Socket[] = [];
  const held: Buffer[] = [];
  let holding = false;
  let first: Socket | undefined;
  const server = createServer((client) => {
    const upstream = connectTcp(targetPort, '127.0.0.1');
    sockets.push(client, upstream);
    first ??= client;
    const isFirst = first === client;
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => (isFirst && holding ? held.push(data) : client.write(data)));
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      socket.on('error', () => other.destroy());
      socket.on('close', () => other.destroy());
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    port: (server.address() as AddressInfo).port,
    get heldBytes() {
      return held.reduce((sum, data) => sum + data.length, 0);
    },
    hold: () => (holding = true),
    release: () => {
      holding = false;
      for (const data of held.splice(0)) first?.write(data);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => server.close(closed));
    },
  };
}
