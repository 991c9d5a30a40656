// Both builds must find the optional `@opentelemetry/api` and report to the SDK an application registers: the
// CommonJS build (esbuild) cannot use `import.meta`, the ESM build has no `require`. Run `npm run build` first
// (`npm test` does). Each script runs in a child process so that it sees only the built files.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
};

/** Registers the SDK, trips a breaker from the given build, prints its spans and call counts. */
const script = (load: string) => `${load}
const spans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
const breaker = circuitBreaker({ name: 'build' });
breaker.open().then(async () => {
  breaker.execute(() => Promise.resolve(1)).subscribe({ error: () => {} });
  await reader.forceFlush();
  const calls = exporter.getMetrics()[0].scopeMetrics[0].metrics.find((m) => m.descriptor.name === 'circuit_breaker.calls');
  console.log(JSON.stringify({
    spans: spans.getFinishedSpans().map((s) => [s.name, s.instrumentationScope.name, s.instrumentationScope.version]),
    calls: calls.dataPoints.map((p) => [p.attributes['circuit_breaker.outcome'], p.value]),
  }));
});
`;

const otel = {
  api: ['metrics', 'trace'],
  'sdk-trace-base': ['BasicTracerProvider', 'InMemorySpanExporter', 'SimpleSpanProcessor'],
  'sdk-metrics': [
    'AggregationTemporality',
    'InMemoryMetricExporter',
    'MeterProvider',
    'PeriodicExportingMetricReader',
  ],
};

const esm = Object.entries(otel)
  .map(([pkg, names]) => `import { ${names.join(', ')} } from '@opentelemetry/${pkg}';`)
  .concat(`import { circuitBreaker } from './dist/esm/index.js';`)
  .join('\n');
const cjs = Object.entries(otel)
  .map(([pkg, names]) => `const { ${names.join(', ')} } = require('@opentelemetry/${pkg}');`)
  .concat(`const { circuitBreaker } = require('./dist/cjs/index.js');`)
  .join('\n');

const expected = {
  spans: [['circuit_breaker.state_change', 'rxjs-circuit-breaker', version]],
  calls: [['rejected', 1]],
};

describe('with @opentelemetry/api installed and an SDK registered', () => {
  it('the ESM build reports spans and metrics', async () => {
    const { stdout } = await run('node', ['--input-type=module', '-e', script(esm)], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('the CommonJS build reports spans and metrics', async () => {
    const { stdout } = await run('node', ['--input-type=commonjs', '-e', script(cjs)], {
      cwd: root,
    });
    expect(JSON.parse(stdout)).toEqual(expected);
  });
});
