import { spawnSync } from 'node:child_process';
import { DemoFailure } from './cliOptions.js';

const howToInstall = `The fleet demo starts its own Redis, so it needs the redis-server program. Install it, then run it again:
  Debian/Ubuntu:  sudo apt-get install redis-server
  Fedora:         sudo dnf install redis
  macOS:          brew install redis
(npm run demo needs no Redis.)`;

/** Fails with install instructions, and no stack trace, when `redis-server` is not on the PATH. */
export function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (probe.error)
    throw new DemoFailure(`redis-server was not found on the PATH.\n${howToInstall}`);
}
