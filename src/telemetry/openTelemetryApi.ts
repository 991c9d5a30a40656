import type { MeterLike } from './MeterLike.js';
import type { SpanLike, TracerLike } from './TracerLike.js';

/** The part of the `@opentelemetry/api` module this package calls. */
export interface OpenTelemetryApiLike {
  readonly trace: {
    getTracer(name: string, version?: string): TracerLike;
    /** The span stored in an OpenTelemetry `Context` (one captured by `context.active()`). */
    getSpan(context: unknown): SpanLike | undefined;
  };
  readonly context: { active(): unknown };
  readonly metrics: { getMeter(name: string, version?: string): MeterLike };
  createNoopMeter(): MeterLike;
}

let loaded: { readonly api: OpenTelemetryApiLike | undefined } | undefined;

/**
 * The `@opentelemetry/api` module, or undefined when it is not installed (it is an optional peer dependency) or
 * the runtime has no synchronous module loader (a browser: pass `tracer` and `meter` there).
 *
 * @remarks
 * Loaded synchronously, so a breaker has its default tracer the moment it is created. Neither `node:module` nor
 * `require` appears in the code: bundlers for the browser would stop on the Node built-in or the missing optional
 * peer, or wrap `require` in a shim (spec/bundling.spec.ts checks). The runtime's own `node:module` comes from
 * `process.getBuiltinModule` (Node 20.16 and later, Bun, Deno) and makes a `require` that resolves from this
 * file: `__filename` in the CommonJS build, `import.meta.url` in the ESM build. esbuild turns `import.meta` into
 * `{}` in the CommonJS build, so that branch must never run there (spec/telemetry-builds.spec.ts checks both).
 */
export function openTelemetryApi(): OpenTelemetryApiLike | undefined {
  loaded ??= { api: load() };
  return loaded.api;
}

function load(): OpenTelemetryApiLike | undefined {
  // Inside `try`, where esbuild does not warn about `import.meta` (empty in the CommonJS build, never read there).
  try {
    const nodeModule = globalThis.process?.getBuiltinModule?.('module');
    const here = typeof __filename === 'string' ? __filename : import.meta.url;
    return nodeModule?.createRequire(here)('@opentelemetry/api') as
      OpenTelemetryApiLike | undefined;
  } catch {
    return undefined;
  }
}
