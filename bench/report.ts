import type { CaseFigure, Figures } from './figures.js';

/** The human-readable report: one table per kind of work, then ratios, heap and targets. */
export function formatReport(figures: Figures, extraSections: readonly string[]): string {
  const { machine, settings } = figures;
  const lines = [
    `rxjs-circuit-breaker benchmark, ${figures.date.slice(0, 10)}`,
    `Node ${machine.node}, ${machine.platform}, ${machine.cpuCount} × ${machine.cpuModel}`,
    `${settings.rounds} rounds after ${settings.warmupRounds} warm-up rounds, cases interleaved; medians.`,
    '± is the interquartile range across rounds, as a share of the median.',
    '',
    ...table('Work: a function returning an already-resolved promise', figures, 'promise'),
    '',
    ...table('Work: a synchronous of(1)', figures, 'sync'),
    '',
    'Our added cost as a share of each peer’s (closed state; lower is better for us)',
    `  promise work:  ${ratio(figures.ratios.promiseWork.vsCockatiel)} of cockatiel’s, ${ratio(figures.ratios.promiseWork.vsOpossum)} of opossum’s`,
    `  sync work:     ${ratio(figures.ratios.syncWork.vsCockatiel)} of cockatiel’s, ${ratio(figures.ratios.syncWork.vsOpossum)} of opossum’s`,
    `  for scale, one tap() layer alone adds ${added(figures, 'promise.tap')} ns (promise work), ${added(figures, 'sync.tap')} ns (sync work)`,
    '',
    'Heap growth over one million calls through the breaker (after a full GC)',
    `  promise work:  ${heap(figures.heap.promiseWork)}`,
    `  sync work:     ${heap(figures.heap.syncWork)}`,
    '',
    'Targets (issue 5)',
    ...figures.targets.map((target) => {
      const mark = target.met === null ? '?' : target.met ? '✓' : '✗';
      const value =
        target.value === null ? 'not measured' : formatValue(target.value, target.limit);
      return `  ${mark} ${target.description}: ${value} (${target.limit})`;
    }),
    ...extraSections.flatMap((section) => ['', section]),
  ];
  return `${lines.join('\n')}\n`;
}

function table(title: string, figures: Figures, family: CaseFigure['family']): string[] {
  const rows = figures.cases.filter((c) => c.family === family);
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const header = `  ${'case'.padEnd(labelWidth)}${'ns/call'.padStart(9)}${'±'.padStart(6)}${'added'.padStart(8)}  over`;
  return [
    title,
    header,
    ...rows.map((row) => {
      const baseline = figures.cases.find((c) => c.id === row.baseline);
      const added = row.addedNs === undefined ? '' : signed(row.addedNs);
      const over = baseline ? shortName(baseline.label) : '';
      const note = row.informational ? ' (context)' : '';
      const spread = `${(row.spread * 100).toFixed(0)}%`;
      return `  ${row.label.padEnd(labelWidth)}${row.nsPerCall.toFixed(0).padStart(9)}${spread.padStart(6)}${added.padStart(8)}  ${over}${note}`.trimEnd();
    }),
  ];
}

function added(figures: Figures, id: string): string {
  const ns = figures.cases.find((c) => c.id === id)?.addedNs;
  return ns === undefined ? 'n/a' : ns.toFixed(0);
}

function shortName(label: string): string {
  return label.split(':')[0] ?? label;
}

function signed(ns: number): string {
  return `${ns >= 0 ? '+' : ''}${ns.toFixed(0)}`;
}

function ratio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : 'n/a';
}

function heap(growth: { calls: number; bytes: number } | null): string {
  if (!growth) return 'not measured (run node with --expose-gc, as `npm run bench` does)';
  return `${growth.bytes >= 0 ? '+' : ''}${(growth.bytes / 1024).toFixed(0)} KB over ${growth.calls.toLocaleString('en-US')} calls`;
}

function formatValue(value: number, limit: string): string {
  if (limit.includes('bytes')) return `${(value / 1024).toFixed(0)} KB`;
  return value.toFixed(2);
}
