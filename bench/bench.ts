/**
 * `npm run bench`: the per-call and per-value cost and the memory of rxjs-circuit-breaker next to RxJS's own
 * layers, opossum and cockatiel. Method and how to read it: docs/BENCHMARKS.md.
 *
 * One process; every case runs once per round, interleaved, over many rounds (in blocks) after a warm-up; each
 * figure is a median with its quartiles, cases paired round by round. `--json` prints the same figures as JSON
 * on stdout (progress goes to stderr). Run with `--help` for the options.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createCases, heapCase } from './cases.js';
import type { Family } from './cases.js';
import { loadCompiledLibrary } from './compiledLibrary.js';
import type { Library } from './compiledLibrary.js';
import { computeFigures } from './figures.js';
import { measureInterleaved } from './harness.js';
import { heapGrowth } from './heapGrowth.js';
import type { HeapGrowth } from './heapGrowth.js';
import { measureMemory } from './memory.js';
import { formatReport } from './report.js';
import type { Section } from './sections.js';
import {
  operationsSection,
  redisFleetSection,
  redisSection,
  telemetrySection,
} from './sections.js';

const usage = `Usage: npm run bench [-- options]

Measures the per-call cost and the memory of the breaker against RxJS's own layers, opossum and cockatiel.

Options:
  --json         print the figures as JSON on stdout instead of the table (progress goes to stderr);
                 e.g. npm run --silent bench -- --json > bench.json
  --rounds N     measured rounds, run in blocks of 8 (default 48; the Redis and OpenTelemetry
                 sections run 15 of them, or N if fewer)
  -h, --help     show this help
`;

const heapCalls = 1_000_000;

const { values } = parseCommandLine();
if (values.help) {
  process.stdout.write(usage);
} else {
  await main(values.json === true, Number(values.rounds ?? 48));
}

async function main(json: boolean, rounds: number): Promise<void> {
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const settings = { rounds, roundsPerBlock: 8, warmupRounds: 3, batchMs: 8 };
  const library = await loadCompiledLibrary();
  const subjects = await createCases(library);
  await subjects.check();
  log(`bench: ${subjects.cases.length} cases, ${settings.warmupRounds} + ${rounds} rounds`);
  const measurements = await measureInterleaved(subjects.cases, {
    ...settings,
    onRound: (round, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rbench: round ${round}/${total}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  subjects.dispose();

  log(`bench: heap growth over ${heapCalls.toLocaleString('en-US')} calls`);
  const heap = {
    promiseWork: await measureHeap(library, 'promise'),
    syncWork: await measureHeap(library, 'sync'),
  };

  log('bench: memory (bench/memory.ts)');
  const memory = await measureMemory(library);

  // The Redis and OpenTelemetry sections keep their own 15 rounds (their figures are read in the README).
  const sectionRounds = Math.min(15, rounds);
  const sections: Section[] = [];
  log('bench: operations (bench/operationsBench.ts)');
  sections.push(await operationsSection(library));
  log('bench: Redis store (bench/redisBench.ts)');
  sections.push(await redisSection(sectionRounds));
  log('bench: Redis store, a fleet of 4 processes (bench/redisFleetBench.ts)');
  sections.push(await redisFleetSection());
  log('bench: OpenTelemetry overhead (bench/telemetryBench.ts)');
  sections.push(await telemetrySection(sectionRounds));

  const figures = computeFigures({
    specs: subjects.cases,
    measurements,
    heap,
    memory,
    settings,
    loadAtStart,
    sections: Object.fromEntries(sections.map((section) => [section.name, section.figures])),
  });
  const text = sections.map((section) => section.text);
  process.stdout.write(
    json ? `${JSON.stringify(figures, null, 2)}\n` : formatReport(figures, text),
  );
}

async function measureHeap(library: Library, family: Family): Promise<HeapGrowth | null> {
  const subject = heapCase(library, family);
  try {
    return (await heapGrowth(subject.run, heapCalls)) ?? null;
  } finally {
    subject.dispose();
  }
}

function parseCommandLine() {
  try {
    const parsed = parseArgs({
      options: {
        json: { type: 'boolean' },
        rounds: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    const rounds = parsed.values.rounds;
    if (rounds !== undefined && !(Number.isInteger(Number(rounds)) && Number(rounds) >= 1)) {
      fail(`--rounds must be an integer ≥ 1, got "${rounds}"`);
    }
    return parsed;
  } catch (error: unknown) {
    fail(error instanceof Error ? (error.message.split('. ')[0] ?? error.message) : String(error));
  }
}

function fail(message: string): never {
  process.stderr.write(
    `npm run bench: ${message}\nRun "npm run bench -- --help" for the options.\n`,
  );
  process.exit(2);
}
