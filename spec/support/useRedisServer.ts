import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { close } from './redisClients.js';
import { startRedisServer } from './redisServer.js';
import type { RedisServer } from './redisServer.js';

/** The redis-server of a spec file, and a client of its own to inspect and reset the server. */
export interface RedisServerInUse {
  readonly port: number;
  readonly admin: Redis;
}

/**
 * Starts a redis-server and its admin client before the spec file's tests (`beforeAll`) and stops both after
 * them (`afterAll`). Call it at the top level of the file; read what it returns from inside the tests.
 */
export function useRedisServer(): RedisServerInUse {
  let started: { server: RedisServer; admin: Redis } | undefined;
  beforeAll(async () => {
    const server = await startRedisServer();
    started = { server, admin: new Redis({ port: server.port, host: '127.0.0.1' }) };
  });
  afterAll(async () => {
    if (!started) return;
    close(started.admin);
    await started.server.stop();
  });
  const running = () => {
    if (!started)
      throw new Error('useRedisServer: the server starts in beforeAll; read it in a test');
    return started;
  };
  return {
    get port() {
      return running().server.port;
    },
    get admin() {
      return running().admin;
    },
  };
}
