import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DemoFailure } from './cliOptions.js';

/** A redis-server this demo started; `stop()` ends it and removes its directory. */
export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

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

/**
 * Starts redis-server on a free loopback port, with no persistence, and waits until it answers.
 *
 * @remarks
 * The server is killed if this process exits first, so an interrupted demo leaves nothing running.
 */
export async function startRedisServer(): Promise<RedisServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(await freePort());
    } catch (error: unknown) {
      // Another program may take the port between freePort() and redis-server's bind: try another one.
      if (attempt === 3) throw error;
    }
  }
}

async function launch(port: number): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rxjs-circuit-breaker-fleet-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--dir', dir], { stdio: 'ignore' });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    await terminate(child);
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilListening(port, child);
  } catch (error: unknown) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls with PING until the server answers (at most 10 s); fails early if it exits. */
async function waitUntilListening(port: number, child: ChildProcess): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
