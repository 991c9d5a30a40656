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

/** One timeline row as printed: its second, whether the service was up, each lane's symbols, the rest. */
interface TimelineRow {
  readonly second: number;
  readonly service: string;
  readonly lanes: string[];
  readonly spared: number;
  readonly breaker: string;
}

/**
 * The timeline rows of a demo's plain-text output. Columns: time (5), service (7), then each lane as wide as
 * `max(label, slots)`, then the spared count and the breaker column, all two spaces apart.
 */
function timelineRows(stdout: string, laneWidths: readonly number[]): TimelineRow[] {
  return stdout
    .split('\n')
    .filter((line) => /^ +\d+s {2}/.test(line))
    .map((line) => {
      const chars = [...line];
      let at = 16;
      const lanes = laneWidths.map((width) => {
        const lane = chars.slice(at, at + width).join('');
        at += width + 2;
        return lane;
      });
      const [, spared, breaker] = /^ *(\d+) {2}(.*)$/.exec(chars.slice(at).join('')) ?? [];
      return {
        second: Number.parseInt(line, 10),
        service: chars.slice(7, 14).join('').trim(),
        lanes,
        spared: Number(spared),
        breaker: breaker ?? '',
      };
    });
}

function countSymbols(text: string, symbol: string): number {
  return [...text].filter((char) => char === symbol).length;
}

/** The counts a summary line gives: "N calls ...: S succeeded, F failed, R refused by the breaker". */
function summaryCounts(line: string | undefined) {
  const [, succeeded, failed, refused] =
    /(\d+) succeeded, (\d+) failed, (\d+) refused by the breaker/.exec(line ?? '') ?? [];
  return { success: Number(succeeded), failure: Number(failed), rejected: Number(refused) };
}

const symbolOf = { success: '●', failure: '✗', rejected: '○' } as const;

describe('npm run demo (examples/demo/demo.ts)', () => {
  // Every assertion here holds at any machine speed: the timeline is checked against the demo's own counts and
  // the order of the phases, never against which second something happened in.
  it('shows every call in the row of the second it was made in, however late it answers, and the rows add up to the summary', async () => {
    // With a 300 ms answer, the last calls of each second settle after the next second has begun.
    const args = ['--duration', '5', '--outage-start', '1', '--outage-length', '2'];
    const { code, stdout, stderr } = await runExample('demo/demo.ts', [
      ...args,
      '--reset-timeout',
      '500',
      '--latency',
      '300',
    ]);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('\x1b['); // piped: no colour codes
    const rows = timelineRows(stdout, [10]);
    expect(rows.map((row) => row.second)).toEqual([0, 1, 2, 3, 4]);
    // A failure shows only in a row marked DOWN, and the outage shows.
    for (const row of rows) if (row.lanes.join('').includes('✗')) expect(row.service).toBe('DOWN');
    expect(rows.some((row) => row.service === 'DOWN')).toBe(true);
    // Each row holds its ten calls, every one settled.
    for (const row of rows) expect(row.lanes[0]).toMatch(/^[●✗○]{10}$/);
    const counts = summaryCounts(stdout.split('\n').find((line) => line.includes('calls in 5 s')));
    expect(stdout).toContain('50 calls in 5 s');
    for (const outcome of ['success', 'failure', 'rejected'] as const) {
      const shown = rows.reduce(
        (sum, row) => sum + countSymbols(row.lanes[0], symbolOf[outcome]),
        0,
      );
      expect(shown, outcome).toBe(counts[outcome]);
    }
    expect(counts.failure).toBeGreaterThanOrEqual(3);
    // The spared column is the running count of refusals.
    let spared = 0;
    for (const row of rows) {
      spared += countSymbols(row.lanes[0], '○');
      expect(row.spared).toBe(spared);
    }
    expect(stdout).toContain(`The breaker spared the service ${counts.rejected} requests in all.`);
    // Phases in order: the row that opens the circuit holds the failure that opened it, at least 3 failures
    // came up to it, and no call was refused before it.
    const opened = rows.findIndex((row) => row.breaker.startsWith('closed → open'));
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(stdout).toContain('The circuit tripped once;');
    expect(rows[opened].lanes[0]).toContain('✗');
    const failuresUpToOpening = rows
      .slice(0, opened + 1)
      .reduce((sum, row) => sum + countSymbols(row.lanes[0], '✗'), 0);
    expect(failuresUpToOpening).toBeGreaterThanOrEqual(3);
    expect(
      rows
        .slice(0, opened)
        .map((row) => row.lanes.join(''))
        .join(''),
    ).not.toContain('○');
    const closed = rows.findIndex(
      (row, index) => index > opened && row.breaker.includes('→ closed'),
    );
    if (closed >= 0) expect(rows[closed].breaker).toContain('(the trial call succeeded)');
    expect(code).toBe(0);
  });

  it("--dashboard serves the dashboard of the demo's breaker while it runs, and still exits on time", async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'examples/demo/demo.ts',
        '--dashboard',
        ...['--duration', '3'],
        ...['--outage-start', '1'],
      ],
      { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const found = /^dashboard (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(stdout)?.[1];
        if (found) resolve(found);
      });
      child.on('close', () => reject(new Error(`no dashboard URL:\n${stdout}${stderr}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Circuit breakers</title>');
    const breakers = (await (await fetch(new URL('breakers', url))).json()) as { name: string }[];
    expect(breakers.map(({ name }) => name)).toEqual(['flaky-service']);
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
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
      '--dashboard',
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
  it("shows one worker's failures opening the circuit for every worker, every call in its row, and stops its redis-server", async () => {
    const args = [
      '--duration',
      '4',
      '--outage-start',
      '1',
      '--outage-length',
      '2',
      '--latency',
      '300',
    ];
    const { code, stdout, stderr } = await runExample('demo/fleet.ts', [
      ...args,
      '--rates',
      '10,2,2',
    ]);
    expect(stderr).toBe('');
    const rows = timelineRows(stdout, [10, 2, 2]);
    expect(rows.map((row) => row.second)).toEqual([0, 1, 2, 3]);
    for (const row of rows) if (row.lanes.join('').includes('✗')) expect(row.service).toBe('DOWN');
    const summaries = stdout.split('\n').filter((line) => /^ {2}w\d: \d+ calls/.test(line));
    expect(summaries).toHaveLength(3);
    [10, 2, 2].forEach((rate, worker) => {
      // Each row holds each worker's calls of that second, every one settled, and they add up to its summary.
      for (const row of rows) expect(row.lanes[worker]).toMatch(new RegExp(`^[●✗○]{${rate}}$`));
      expect(summaries[worker]).toContain(`w${worker + 1}: ${4 * rate} calls`);
      const counts = summaryCounts(summaries[worker]);
      for (const outcome of ['success', 'failure', 'rejected'] as const) {
        const shown = rows.reduce(
          (sum, row) => sum + countSymbols(row.lanes[worker], symbolOf[outcome]),
          0,
        );
        expect(shown, `w${worker + 1} ${outcome}`).toBe(counts[outcome]);
      }
    });
    // One worker's own failures opened the circuit; its row shows it, and the others followed through Redis.
    const opened = rows.findIndex((row) => row.breaker.startsWith('closed → open'));
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(rows.slice(0, opened + 1).some((row) => row.lanes.join('').includes('✗'))).toBe(true);
    expect(stdout).toMatch(/The circuit opened \d+\.\d s in, when w\d reached 3 failures in a row/);
    expect(stdout).toMatch(/learned it through Redis within \d+ ms and refused their calls/);
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
