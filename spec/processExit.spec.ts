import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/trippedBreakerExits.ts', import.meta.url));
const groupFixture = fileURLToPath(new URL('./fixtures/idleGroupExits.ts', import.meta.url));

/** The longest we let the child live: far below the fixture's 60 s reset timeout. */
const bound = 20_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsed: number;
}

/** Runs a TypeScript script in its own Node process (through tsx, from this repo), killing it at `bound`. */
function runScript(script: string): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: bound,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr, elapsed: performance.now() - started });
    });
  });
}

describe('a tripped breaker in a process with nothing else to do', () => {
  it('lets the process exit at once, although its 60 s reset timer is pending', async () => {
    const exit = await runScript(fixture);

    expect(exit.stderr).toBe('');
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(0);
    expect(exit.elapsed).toBeLessThan(bound);
    expect(exit.stdout.trim().split('\n')).toEqual([
      'state$ closed',
      'state$ open',
      'call failed: CircuitBreakerError: Failures threshold reached, circuit breaker opened',
      'state open',
    ]);
  });
});

describe('a breaker group with an idle sweep pending', () => {
  it('lets the process exit at once', async () => {
    const exit = await runScript(groupFixture);

    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(exit.elapsed).toBeLessThan(bound);
    expect(exit.stdout.trim()).toBe('call ok, group of 1');
  });
});
