// Operations figures (issue 12): heap per idle breaker with and without the registry, registry.snapshot() time
// for 10,000 breakers, and a group of 100,000 keys returning to its baseline heap after idleTimeout.
// A section of `npm run bench` (bench/sections.ts).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { of } from 'rxjs';
import type { Library } from './compiledLibrary.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run node with --expose-gc');
const collect = gc;

/** After a turn of the event loop: a WeakRef keeps its target alive until the current job ends. */
const heapUsed = async () => {
  await sleep(0);
  collect();
  collect();
  return process.memoryUsage().heapUsed;
};

/** Bytes per breaker for `count` idle closed breakers made by `create` (kept alive until measured). */
async function heapPerBreaker(
  create: (index: number) => { dispose(): void },
  count = 10_000,
): Promise<number> {
  create(-1).dispose(); // warm-up: lazily created state (default registry, telemetry lookups)
  const before = await heapUsed();
  const kept = Array.from({ length: count }, (_, index) => create(index));
  const bytes = ((await heapUsed()) - before) / count;
  kept.forEach((breaker) => breaker.dispose());
  return bytes;
}

function snapshotTime(library: Library): { median: number; entries: number } {
  const registry = library.createBreakerRegistry();
  const breakers = Array.from({ length: 10_000 }, (_, index) =>
    library.circuitBreaker({ name: `host-${index}`, registry }),
  );
  breakers.slice(0, 100).forEach((breaker) => void breaker.open());
  const times: number[] = [];
  let entries = 0;
  for (let run = 0; run < 21; run++) {
    const started = performance.now();
    entries = registry.snapshot().length;
    times.push(performance.now() - started);
  }
  breakers.forEach((breaker) => breaker.dispose());
  times.sort((a, b) => a - b);
  return { median: times[10] ?? NaN, entries };
}

async function groupReturnsToBaseline(library: Library) {
  const idleTimeout = 500;
  const baseline = await heapUsed();
  const perHost = library.circuitBreakers({
    config: (host: string) => ({ name: `inventory:${host}` }),
    idleTimeout,
  });
  for (let index = 0; index < 100_000; index++)
    of(1)
      .pipe(perHost(`host-${index}`))
      .subscribe();
  const full = await heapUsed();
  const size = perHost.size;
  await sleep(2 * idleTimeout + 200);
  const after = await heapUsed();
  return { size, sizeAfter: perHost.size, baseline, full, after };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The operations figures: heap per idle breaker, snapshot time, and a group's heap after idleTimeout. */
export async function measureOperations(library: Library) {
  const { circuitBreaker } = library;
  const idleBreakerBytes = {
    defaultTelemetryDefaultRegistry: await heapPerBreaker((i) => circuitBreaker({ name: `a${i}` })),
    defaultTelemetryNoRegistry: await heapPerBreaker((i) =>
      circuitBreaker({ name: `b${i}`, registry: false }),
    ),
    noTelemetryDefaultRegistry: await heapPerBreaker((i) =>
      circuitBreaker({ name: `c${i}`, tracer: false, meter: false }),
    ),
    noTelemetryNoRegistry: await heapPerBreaker((i) =>
      circuitBreaker({ name: `d${i}`, tracer: false, meter: false, registry: false }),
    ),
  };
  const snapshot = snapshotTime(library);
  const groupRounds = [];
  for (let round = 0; round < 2; round++) groupRounds.push(await groupReturnsToBaseline(library));
  return { idleBreakerBytes, snapshot, groupRounds };
}

export type OperationsFigures = Awaited<ReturnType<typeof measureOperations>>;

export function formatOperations({
  idleBreakerBytes,
  snapshot,
  groupRounds,
}: OperationsFigures): string {
  const idle = idleBreakerBytes;
  return [
    'Operations (idle closed breakers, registry, groups)',
    `  idle breaker, default telemetry, default registry: ${kb(idle.defaultTelemetryDefaultRegistry)}`,
    `  idle breaker, default telemetry, registry: false:  ${kb(idle.defaultTelemetryNoRegistry)}`,
    `  idle breaker, telemetry off, default registry:     ${kb(idle.noTelemetryDefaultRegistry)}`,
    `  idle breaker, telemetry off, registry: false:      ${kb(idle.noTelemetryNoRegistry)}`,
    `  registry.snapshot() of ${snapshot.entries} breakers: ${snapshot.median.toFixed(1)} ms (median of 21)`,
    ...groupRounds.map(
      (group, round) =>
        `  group of ${group.size} keys used once (round ${round + 1}): heap ${mb(group.baseline)} before, ` +
        `${mb(group.full)} full, ${mb(group.after)} after 2 × idleTimeout (${group.sizeAfter} left; ` +
        `${kb(group.after - group.baseline)} above baseline)`,
    ),
  ].join('\n');
}
