import type { Quartiles } from './harness.js';
import type { CaseFigure, Figures, Target } from './figures.js';
import type { MemoryFigure } from './memory.js';

const marks: Record<Target['verdict'], string> = {
  met: '✓',
  'not met': '✗',
  'spread too wide to say': '?',
  'too few blocks to say': '?',
  'not measured': '-',
};

/** The human-readable report: one table per kind of work, peers, memory, then targets. */
export function formatReport(figures: Figures, extraSections: readonly string[]): string {
  const { machine, settings } = figures;
  const blocks = Math.ceil(settings.rounds / settings.roundsPerBlock);
  const lines = [
    `rxjs-circuit-breaker benchmark, ${figures.date.slice(0, 10)} (how to read it: docs/BENCHMARKS.md)`,
    `Node ${machine.node}, ${machine.platform}, ${machine.cpuCount} × ${machine.cpuModel}; load average ${machine.loadAverage.start.toFixed(2)} at the start, ${machine.loadAverage.end.toFixed(2)} at the end`,
    `${settings.rounds} rounds (${blocks} blocks of ${settings.roundsPerBlock}) after ${settings.warmupRounds} warm-up rounds; each round runs every case once, interleaved; wall clock.`,
    'Each block gives each case its median round; each figure is the median over the blocks, then the quartiles',
    '(a–b), every case paired with its baseline and with tap() block by block. ± is the interquartile range of',
    'ns/call over the blocks, as a share of the median.',
    '',
    ...table(
      'Work: a function returning an already-resolved promise (ns per call)',
      figures,
      'promise',
    ),
    '',
    ...table('Work: a synchronous of(1) (ns per call)', figures, 'sync'),
    '',
    ...table(
      'One subscription to a source emitting 1,000,000 values (ns per value)',
      figures,
      'values',
    ),
    `  breaker − bare layer, per value: ${range(figures.perValueOverBareLayerNs, 1)} ns`,
    '',
    'Our added cost ÷ the peer’s (closed state, promise work; below 1: we add less)',
    ...figures.peers.map((p) => `  ${p.peer.padEnd(10)} ${range(p.ratio, 2)}: ${p.verdict}`),
    '',
    ...memory(figures),
    '',
    'Heap growth over one million calls through the breaker (after a full GC)',
    `  promise work:  ${heap(figures.heap.promiseWork)}`,
    `  sync work:     ${heap(figures.heap.syncWork)}`,
    '',
    'Targets (issue 14): ✓ met, ✗ not met, ? the spread straddles the limit, so no verdict',
    ...figures.targets.flatMap((t) => [
      `  ${marks[t.verdict]} ${t.description}: ${measured(t.value, t.unit)}${t.verdict.endsWith('to say') ? ` (${t.verdict})` : ''}`,
      ...(t.reference
        ? [
            `      for reference, ${t.reference.description}: ${measured(t.reference.value, t.unit)}`,
          ]
        : []),
    ]),
    ...extraSections.flatMap((section) => ['', section]),
  ];
  return `${lines.join('\n')}\n`;
}

function table(title: string, figures: Figures, family: CaseFigure['family']): string[] {
  const rows = figures.cases.filter((c) => c.family === family);
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const ns = family === 'values' ? 'ns/value' : 'ns/call';
  return [
    title,
    `  ${'case'.padEnd(labelWidth)}${ns.padStart(9)}${'±'.padStart(6)}${'added ns'.padStart(10)}  × one tap() layer`,
    ...rows.map((row) => {
      const digits = family === 'values' ? 1 : 0;
      const spread = `${(row.spread * 100).toFixed(0)}%`;
      const added = row.addedNs === undefined ? '' : signed(row.addedNs.median, digits);
      const perTap = row.perTap === undefined ? '' : range(row.perTap, 2);
      const note = row.informational ? '  (context)' : '';
      return `  ${row.label.padEnd(labelWidth)}${row.nsPerCall.toFixed(digits).padStart(9)}${spread.padStart(6)}${added.padStart(10)}  ${perTap}${note}`.trimEnd();
    }),
  ];
}

function memory(figures: Figures): string[] {
  const m = figures.memory;
  if (!m) return ['Memory: not measured (run node with --expose-gc, as `npm run bench` does)'];
  const rows: MemoryFigure[] = [m.idleBreaker, m.stateListener, m.inFlightCall];
  const cell = (bytes: Quartiles | undefined) => (bytes ? range(bytes, 0) : 'n/a').padEnd(20);
  const width = Math.max(...[...rows, m.createDispose].map((r) => r.description.length));
  const line = (r: MemoryFigure) =>
    `  ${r.description.padEnd(width)}  ${cell(r.ours)}${cell(r.cockatiel)}${cell(r.opossum)}${r.bare ? cell(r.bare) : ''}${r.tap ? cell(r.tap) : ''}${r.minimalLayer ? range(r.minimalLayer, 0) : ''}`.trimEnd();
  return [
    'Memory, bytes per object while 2,000 breakers or 10,000 subscribers or calls are held (median of 5 repeats,',
    'lowest–highest in brackets)',
    `  ${''.padEnd(width)}  ${'ours'.padEnd(20)}${'cockatiel'.padEnd(20)}${'opossum'.padEnd(20)}${'bare subscription'.padEnd(20)}${'through tap()'.padEnd(20)}through a minimal layer`,
    ...rows.map(line),
    'Heap growth, bytes in all:',
    line(m.createDispose),
  ];
}

function range(value: Quartiles, digits: number): string {
  if (!Number.isFinite(value.median)) return 'n/a';
  const f = (x: number) => x.toFixed(digits);
  return `${f(value.median)} (${f(value.low)}–${f(value.high)})`;
}

function measured(value: Quartiles | null, unit: Target['unit']): string {
  return value ? formatIn(value, unit) : 'not measured';
}

function formatIn(value: Quartiles, unit: Target['unit']): string {
  if (unit === 'bytes') return `${range(value, 0)} bytes`;
  if (unit === 'ns') return `${range(value, 1)} ns`;
  return `${range(value, 2)}×`;
}

function signed(ns: number, digits: number): string {
  return `${ns >= 0 ? '+' : ''}${ns.toFixed(digits)}`;
}

function heap(growth: { calls: number; bytes: number } | null): string {
  if (!growth) return 'not measured (run node with --expose-gc, as `npm run bench` does)';
  return `${growth.bytes >= 0 ? '+' : ''}${(growth.bytes / 1024).toFixed(0)} KB over ${growth.calls.toLocaleString('en-US')} calls`;
}
