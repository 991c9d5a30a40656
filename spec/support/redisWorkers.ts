import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { WorkerConfig } from '../fixtures/redisWorker.js';
import { terminate } from './redisServer.js';

/** One line a worker printed. */
export interface WorkerMessage {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** A child process that takes commands and prints messages, one JSON object per line (a breaker in a worker). */
export interface Worker {
  readonly messages: WorkerMessage[];
  send(command: object): void;
  /** Waits (at most `timeout` ms) for a message matching `match` and returns it. */
  next(match: (message: WorkerMessage) => boolean, timeout?: number): Promise<WorkerMessage>;
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Starts a breaker in a worker (spec/fixtures/redisWorker.ts) and resolves once it reports `ready`. */
export function startWorker(config: WorkerConfig): Promise<Worker> {
  return startLineProcess('spec/fixtures/redisWorker.ts', config);
}

/**
 * Starts `script` (TypeScript, a path from the repository's root) in a child process given `config` as JSON, and
 * resolves once it reports `ready`. It reads commands and prints messages as JSON lines.
 */
export async function startLineProcess(script: string, config: object): Promise<Worker> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, script), JSON.stringify(config)],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: root },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const messages: WorkerMessage[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    messages.push(JSON.parse(line) as WorkerMessage);
    waiters.forEach((wake) => wake());
  });
  const worker: Worker = {
    messages,
    send: (command) => child.stdin.write(`${JSON.stringify(command)}\n`),
    next: (match, timeout = 60_000) =>
      new Promise((resolve, reject) => {
        const seen = messages.length;
        const check = () => {
          const found = messages.slice(seen).find(match);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `worker: no matching message within ${timeout} ms: ${JSON.stringify(messages)}`,
            ),
          );
        }, timeout);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      }),
    kill: () => terminate(child, 'SIGKILL'),
  };
  // Each worker compiles its TypeScript on start: eight at once took 35 s on a busy 2-core machine.
  await worker.next((message) => message.kind === 'ready', 120_000);
  return worker;
}
