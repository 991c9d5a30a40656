import { spawnSync } from 'node:child_process';
import type { Library } from './compiledLibrary.js';
import { formatOperations, measureOperations } from './operationsBench.js';
import { formatRedisReport, measureRedisStore } from './redisBench.js';
import { formatRedisFleetReport, measureRedisFleet } from './redisFleetBench.js';
import { formatTelemetryOverhead, measureTelemetryOverhead } from './telemetryBench.js';

/** A section contributed by another benchmark: its figures for the JSON, and its text for the report. */
export interface Section {
  readonly name: string;
  /** The figures, or `{ skipped: reason }`. */
  readonly figures: unknown;
  readonly text: string;
}

/** Why a Redis section cannot run, if redis-server is not installed. */
function redisMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (!probe.error) return undefined;
  return 'redis-server is not on the PATH (install it: sudo apt-get install redis-server)';
}

/** The Redis store section (bench/redisBench.ts); skipped, with a note, when redis-server is not installed. */
export async function redisSection(rounds: number): Promise<Section> {
  const reason = redisMissing();
  if (reason) {
    return {
      name: 'redis',
      figures: { skipped: reason },
      text: `Redis store: skipped, ${reason}.`,
    };
  }
  const figures = await measureRedisStore({ rounds });
  return { name: 'redis', figures, text: formatRedisReport(figures).trimEnd() };
}

/**
 * The Redis fleet section (bench/redisFleetBench.ts): four processes on one breaker with a rate rule (round trips,
 * the staleness of a fleet-wide trip, Redis memory per breaker); skipped, with a note, without redis-server.
 */
export async function redisFleetSection(): Promise<Section> {
  const reason = redisMissing();
  if (reason) {
    return {
      name: 'redisFleet',
      figures: { skipped: reason },
      text: `Redis store, a fleet of processes: skipped, ${reason}.`,
    };
  }
  const figures = await measureRedisFleet();
  return { name: 'redisFleet', figures, text: formatRedisFleetReport(figures).trimEnd() };
}

/**
 * The OpenTelemetry section (bench/telemetryBench.ts). It registers a global SDK for its last case, so it runs
 * after everything else.
 */
export async function telemetrySection(rounds: number): Promise<Section> {
  const figures = await measureTelemetryOverhead({ rounds });
  return { name: 'telemetry', figures, text: formatTelemetryOverhead(figures) };
}

/** The operations section (bench/operationsBench.ts): heap per idle breaker, registry snapshots, groups. */
export async function operationsSection(library: Library): Promise<Section> {
  const figures = await measureOperations(library);
  return { name: 'operations', figures, text: formatOperations(figures) };
}
