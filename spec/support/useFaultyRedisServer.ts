import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { namespaces } from './namespaces.js';
import { startRedisServer } from './redisServer.js';
import type { RedisServer } from './redisServer.js';

/**
 * The set-up of the fault specs: a redis-server of the file's own that a test may kill, pause or flush (it is up
 * again before the next test), a clean-up list run after each test, fresh namespaces, and a check that no
 * promise rejection went unhandled meanwhile. Call it at the top level of the file; read `server` in the tests.
 */
export function useFaultyRedisServer(namespacePrefix: string) {
  let started: RedisServer | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  /** Run after each test, before the check for unhandled rejections. */
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    started = await startRedisServer();
  });

  beforeEach(async () => {
    // A test may leave the server stopped or paused; every test starts with it up.
    started?.resume();
    await started?.start();
  });

  afterEach(() => {
    cleanups.splice(0).forEach((cleanup) => cleanup());
    expect(unhandled).toEqual([]);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await started?.stop();
  });

  return {
    get server(): RedisServer {
      if (!started) throw new Error('useFaultyRedisServer: the server starts in beforeAll');
      return started;
    },
    cleanups,
    /** A fresh namespace per call, so tests never see each other's state. */
    freshNamespace: namespaces(namespacePrefix),
  };
}
