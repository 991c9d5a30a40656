import { cpus } from 'node:os';
import type { CaseSpec, Family } from './cases.js';
import { ids } from './cases.js';
import type { Measurement } from './harness.js';
import type { HeapGrowth } from './heapGrowth.js';

/** One case's result, with its added cost over its baseline. */
export interface CaseFigure {
  readonly id: string;
  readonly family: Family;
  readonly label: string;
  readonly nsPerCall: number;
  /** Interquartile range across rounds / median. */
  readonly spread: number;
  readonly baseline?: string;
  /** nsPerCall − the baseline's nsPerCall. */
  readonly addedNs?: number;
  readonly informational: boolean;
}

/** A target from issue 5, and whether this run met it. */
export interface Target {
  readonly description: string;
  /** The measured value, in the target's unit. */
  readonly value: number | null;
  readonly limit: string;
  readonly met: boolean | null;
}

export interface Machine {
  readonly node: string;
  readonly platform: string;
  readonly cpuCount: number;
  readonly cpuModel: string;
}

/** Everything `npm run bench` reports; `--json` prints exactly this. */
export interface Figures {
  readonly date: string;
  readonly machine: Machine;
  readonly settings: {
    readonly rounds: number;
    readonly warmupRounds: number;
    readonly batchMs: number;
  };
  readonly cases: readonly CaseFigure[];
  /** Our added cost divided by each peer's added cost, closed state (lower is better for us). */
  readonly ratios: {
    readonly promiseWork: { readonly vsCockatiel: number; readonly vsOpossum: number };
    readonly syncWork: { readonly vsCockatiel: number; readonly vsOpossum: number };
  };
  readonly heap: { readonly promiseWork: HeapGrowth | null; readonly syncWork: HeapGrowth | null };
  readonly targets: readonly Target[];
  /** Sections contributed by the Redis and OpenTelemetry benchmarks, or why they were skipped. */
  readonly sections: Readonly<Record<string, unknown>>;
}

const oneMegabyte = 1024 * 1024;

/** Derives added costs, ratios and target verdicts from the raw measurements. */
export function computeFigures(input: {
  readonly specs: readonly CaseSpec[];
  readonly measurements: readonly Measurement[];
  readonly heap: Figures['heap'];
  readonly settings: Figures['settings'];
  readonly sections: Figures['sections'];
}): Figures {
  const ns = new Map(input.measurements.map((m) => [m.id, m.nsPerCall]));
  const at = (id: string) => ns.get(id) ?? Number.NaN;
  const cases = input.specs.map((spec): CaseFigure => {
    const measured = input.measurements.find((m) => m.id === spec.id);
    const nsPerCall = measured?.nsPerCall ?? Number.NaN;
    return {
      id: spec.id,
      family: spec.family,
      label: spec.label,
      nsPerCall,
      spread: measured?.spread ?? Number.NaN,
      baseline: spec.baseline,
      addedNs: spec.baseline === undefined ? undefined : nsPerCall - at(spec.baseline),
      informational: spec.informational ?? false,
    };
  });
  const added = (id: string) => cases.find((c) => c.id === id)?.addedNs ?? Number.NaN;
  const ratios = {
    promiseWork: {
      vsCockatiel: added(ids.breaker) / added(ids.cockatiel),
      vsOpossum: added(ids.breaker) / added(ids.opossum),
    },
    syncWork: {
      vsCockatiel: added(ids.syncBreaker) / added(ids.cockatiel),
      vsOpossum: added(ids.syncBreaker) / added(ids.opossum),
    },
  };
  const heapBytes = [input.heap.promiseWork, input.heap.syncWork].map(
    (h) => h?.bytes ?? Number.NaN,
  );
  const maxHeap = Math.max(...heapBytes);
  const targets: Target[] = [
    {
      description: "closed state: our added cost ≤ cockatiel's (promise work)",
      value: ratios.promiseWork.vsCockatiel,
      limit: 'ratio ≤ 1.0',
      met: ratios.promiseWork.vsCockatiel <= 1,
    },
    {
      description: "closed state: our added cost < 1/3 of opossum's (promise work)",
      value: ratios.promiseWork.vsOpossum,
      limit: 'ratio < 0.333',
      met: ratios.promiseWork.vsOpossum < 1 / 3,
    },
    {
      description: 'a refused call costs less than a successful one (sync work)',
      value: at(ids.syncRefused) / at(ids.syncBreaker),
      limit: 'refused / successful < 1',
      met: at(ids.syncRefused) < at(ids.syncBreaker),
    },
    {
      description: 'a refused call costs less than a successful one (promise work)',
      value: at(ids.refused) / at(ids.breaker),
      limit: 'refused / successful < 1',
      met: at(ids.refused) < at(ids.breaker),
    },
    {
      description: 'heap growth over 1,000,000 calls through the breaker',
      value: Number.isNaN(maxHeap) ? null : maxHeap,
      limit: '< 1 MB (bytes)',
      met: Number.isNaN(maxHeap) ? null : maxHeap < oneMegabyte,
    },
  ];
  return {
    date: new Date().toISOString(),
    machine: describeMachine(),
    settings: input.settings,
    cases,
    ratios,
    heap: input.heap,
    targets,
    sections: input.sections,
  };
}

function describeMachine(): Machine {
  const cores = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuCount: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
  };
}
