import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { WorkerConfig } from '../fixtures/redisWorker.js';
import { terminate } from './redisServer.js';

/** One line a worker printed. */
export interface WorkerMessage {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** A breaker running in a child process (spec/fixtures/redisWorker.ts). */
export interface Worker {
  readonly messages: WorkerMessage[];
  send(command: object): void;
  /** Waits (at most `timeout` ms) for a message matching `match` and returns it. */
  next(match: (message: WorkerMessage) => boolean, timeout?: number): Promise<WorkerMessage>;
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/** Starts a worker and resolves once it reports `ready`. */
export async function startWorker(config: WorkerConfig): Promise<Worker> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'spec/fixtures/redisWorker.ts', JSON.stringify(config)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
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
