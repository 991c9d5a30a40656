import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A redis-server process owned by a test: it can be killed, paused and restarted on the same port. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts it again on the same port after `kill` (does nothing while it runs). */
  start(): Promise<void>;
  /** kill -9. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing until `resume`. */
  pause(): void;
  resume(): void;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever happens to the test process, no redis-server it started outlives it.
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server` on a free loopback port, without persistence, and waits until it answers PING. */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return await launch(port, extraArgs);
    } catch (error) {
      // Another process may have taken the port between freePort() and redis-server's bind.
      if (attempt >= 3) throw error;
    }
  }
}

async function launch(port: number, extraArgs: readonly string[]): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(tmpdir(), `rxcb-redis-${port}-`));
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child) return;
    child = spawnServer(port, dir, extraArgs);
    await waitForPing(port, child);
  };
  const kill = async () => {
    const current = child;
    child = undefined;
    if (current) await terminate(current, 'SIGKILL');
  };
  await start().catch(async (error: unknown) => {
    // Bound by another process (the port race): clean up and let the caller pick another port.
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      child?.kill('SIGCONT');
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Spawns one redis-server; `extraArgs` are appended as command-line config. */
export function spawnServer(port: number, dir: string, extraArgs: readonly string[]): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--dir', dir, ...extraArgs], { stdio: 'ignore' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export function terminate(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Polls PING until +PONG (at most 10 s); fails early if the server exits. */
export async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`redis-server on port ${port} exited (${child.exitCode})`);
    if ((await rawCommand(port, 'PING').catch(() => '')).startsWith('+PONG')) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}

/** Sends one inline command and returns the raw reply (enough for PING and CLUSTER INFO). */
export function rawCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (data) => {
      reply += data.toString();
      if (isComplete(reply)) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

/** A simple reply ends at its first CRLF; a bulk string (`$<length>`) once its whole payload arrived. */
function isComplete(reply: string): boolean {
  const headerEnd = reply.indexOf('\r\n');
  if (headerEnd < 0) return false;
  if (!reply.startsWith('$')) return true;
  const length = Number(reply.slice(1, headerEnd));
  return length < 0 || Buffer.byteLength(reply) >= headerEnd + 2 + length + 2;
}
