// Runs every example end to end, as a user would: `node --import tsx examples/<file>.ts`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an example to its end and collects what it printed; the process must exit by itself. */
function runExample(file: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join('examples', file), ...args],
      {
        cwd: root,
        env: { ...childEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The test runner's environment without its colour settings: the examples decide for themselves. */
function childEnv(): NodeJS.ProcessEnv {
  const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...rest } = process.env;
  return rest;
}

describe('examples', () => {
  it('httpCall.ts: calls a local service through the breaker until it trips, then refuses', async () => {
    const { code, stdout, stderr } = await runExample('httpCall.ts');
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual([
      'call 1: tea costs 42; circuit closed',
      'call 2: tea costs 42; circuit closed',
      'call 3: failed with Error: HTTP 503; circuit closed',
      'call 4: failed with Error: HTTP 503, which tripped the breaker; circuit open',
      'call 5: refused without sending a request (Timeout not elapsed yet, circuit breaker still open); circuit open',
      '5 calls, 4 requests reached the service',
    ]);
    expect(code).toBe(0);
  });

  it('databaseQuery.ts: queries better-sqlite3 through the breaker and stops when the database is gone', async () => {
    const { code, stdout, stderr } = await runExample('databaseQuery.ts');
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual([
      'customer 1: Ada; circuit closed',
      'customer 2: Grace; circuit closed',
      'customer 3: query failed (TypeError: The database connection is not open); circuit closed',
      'customer 4: query failed (TypeError: The database connection is not open); circuit open',
      'customer 5: refused without querying the database (Timeout not elapsed yet, circuit breaker still open); circuit open',
      '5 lookups, 4 reached the database',
    ]);
    expect(code).toBe(0);
  });

  it('retryWithBackoff.ts: retries transient faults with backoff and stops retrying once the circuit opens', async () => {
    const { code, stdout, stderr } = await runExample('retryWithBackoff.ts');
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual([
      'a transient fault (2 failures):',
      '  attempt 1 failed, retrying in 10 ms',
      '  attempt 2 failed, retrying in 20 ms',
      '  stock is 7 after 3 attempts; circuit closed',
      'an outage (the service keeps failing):',
      '  attempt 1 failed, retrying in 10 ms',
      '  attempt 2 failed, retrying in 20 ms',
      '  gave up after 3 attempts (Failures threshold reached, circuit breaker opened); circuit open',
      'the next call, while the circuit is open:',
      '  gave up after 0 attempts (Timeout not elapsed yet, circuit breaker still open); circuit open',
    ]);
    expect(code).toBe(0);
  });

  it('fallback.ts: serves the last known value when the breaker trips or refuses', async () => {
    const { code, stdout, stderr } = await runExample('fallback.ts');
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual([
      'quote 1: 42; circuit closed',
      'quote 2: error "pricing service down"; circuit closed',
      'quote 3: 42 (stale, from the fallback); circuit open',
      'quote 4: 42 (stale, from the fallback); circuit open',
    ]);
    expect(code).toBe(0);
  });
});

describe('npm run demo (examples/demo/demo.ts)', () => {
  it('walks healthy → outage → recovery, in plain text when piped, and exits by itself', async () => {
    const args = [
      '--duration',
      '4',
      '--outage-start',
      '1',
      '--outage-length',
      '2',
      '--reset-timeout',
      '500',
    ];
    const { code, stdout, stderr } = await runExample('demo/demo.ts', args);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('\x1b['); // piped: no colour codes
    const rows = stdout.split('\n').filter((line) => /^ +\d+s {2}/.test(line));
    expect(rows.map((row) => row.slice(0, 13))).toEqual([
      '   0s  up    ',
      '   1s  DOWN  ',
      '   2s  DOWN  ',
      '   3s  up    ',
    ]);
    expect(rows[0]).toContain('●●●●●●●●●●');
    expect(rows[1]).toMatch(/^ {3}1s {2}DOWN {5}✗✗✗○.* closed → open/);
    expect(rows[2]).toContain('○');
    expect(rows[3]).toMatch(/→ closed {2}\(the trial call succeeded\)$/);
    const summary =
      /(\d+) calls in 4 s: (\d+) succeeded, (\d+) failed, (\d+) refused by the breaker/.exec(
        stdout,
      );
    const [calls, succeeded, failed, refused] = (summary ?? []).slice(1).map(Number);
    expect(calls).toBe(40);
    expect((succeeded ?? 0) + (failed ?? 0) + (refused ?? 0)).toBe(40);
    expect(refused).toBeGreaterThan(10);
    expect(stdout).toContain(`The breaker spared the service ${refused} requests in all.`);
    expect(code).toBe(0);
  });

  it('shows a rate trip with a partial outage and --failure-rate', async () => {
    const args = ['--duration', '3', '--outage-start', '1', '--outage-length', '2'];
    const rate = ['--outage-share', '0.6', '--failure-rate', '0.5', '--reset-timeout', '5000'];
    const { code, stdout, stderr } = await runExample('demo/demo.ts', [...args, ...rate]);
    expect(stderr).toBe('');
    expect(stdout).toContain('answers 503 to 60% of the calls from 1s to 3s');
    expect(stdout).toContain('failureRate: 0.5, window: { calls: 20 }, minimumCalls: 10');
    // Six failures in every ten calls, spread out: the rate rule (the only one set) trips the circuit.
    expect(stdout).toMatch(/closed → open {2}\(0\.5 of the last calls failed\)/);
    expect(code).toBe(0);
  });

  it('documents its options with --help', async () => {
    const { code, stdout } = await runExample('demo/demo.ts', ['--help']);
    for (const option of [
      '--rate',
      '--duration',
      '--outage-start',
      '--outage-length',
      '--fail-max',
      '--reset-timeout',
      '--outage-share',
      '--failure-rate',
    ]) {
      expect(stdout).toContain(option);
    }
    expect(code).toBe(0);
  });

  it.each([
    [['--rate', '0'], 'npm run demo: --rate must be an integer from 1 to 50, got 0'],
    [['--fail-max', 'many'], 'npm run demo: --fail-max must be an integer, got "many"'],
    [
      ['--failure-rate', '0'],
      'npm run demo: --failure-rate must be a number from 0.01 to 1, got 0',
    ],
    [
      ['--outage-share', '2'],
      'npm run demo: --outage-share must be a number from 0.01 to 1, got 2',
    ],
    [['--speed', '3'], "npm run demo: Unknown option '--speed'"],
  ])('rejects %j with a clear message and exit code 2', async (args, message) => {
    const { code, stdout, stderr } = await runExample('demo/demo.ts', args);
    expect(stderr).toBe(`${message}\nRun "npm run demo -- --help" for the options.\n`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});

/** Whether something still accepts connections on this loopback port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run demo:fleet (examples/demo/fleet.ts)', () => {
  it("shows one worker's failures opening the circuit for every worker, and stops its redis-server", async () => {
    const args = ['--duration', '4', '--outage-start', '1', '--outage-length', '2'];
    // The light workers call 600 ms and 800 ms into each second: well after the busy w1 has tripped the circuit.
    const { code, stdout, stderr } = await runExample('demo/fleet.ts', [
      ...args,
      '--rates',
      '10,1,1',
    ]);
    expect(stderr).toBe('');
    const rows = stdout.split('\n').filter((line) => /^ +\d+s {2}/.test(line));
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatch(
      /^ {3}1s {2}DOWN {5}✗✗✗[✗○]* {2}○ {3}○ .*closed → open {2}\(w1: 3 failures in a row; w2 w3 followed within \d+ ms\)/,
    );
    expect(stdout).toMatch(
      /The circuit opened 1\.\d s in, when w1 reached 3 failures in a row; the other workers had not failed once\./,
    );
    expect(stdout).toMatch(
      /w2 and w3 learned it through Redis within \d+ ms and refused their calls without calling the service\./,
    );
    expect(code).toBe(0);
    const port = Number(/redis {4}redis:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await isListening(port)).toBe(false);
  });

  it('explains how to install redis-server when it is missing, without a stack trace', async () => {
    const emptyDir = mkdtempSync(path.join(tmpdir(), 'no-redis-'));
    try {
      const { code, stdout, stderr } = await runExample('demo/fleet.ts', [], { PATH: emptyDir });
      expect(stdout).toBe('');
      expect(stderr).toContain('npm run demo:fleet: redis-server was not found on the PATH.');
      expect(stderr).toContain('sudo apt-get install redis-server');
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(code).toBe(1);
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
