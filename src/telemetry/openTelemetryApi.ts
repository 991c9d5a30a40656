import { createRequire } from 'node:module';
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
 * The `@opentelemetry/api` module, or undefined when it is not installed (it is an optional peer dependency).
 *
 * @remarks
 * Loaded synchronously, so a breaker has its default tracer the moment it is created. The CommonJS build has
 * its own `require`; the ESM build makes one for this file. esbuild turns `import.meta` into `{}` in the
 * CommonJS build, so that branch must never run there (spec/telemetry-builds.spec.ts checks both builds).
 */
export function openTelemetryApi(): OpenTelemetryApiLike | undefined {
  loaded ??= { api: load() };
  return loaded.api;
}

function load(): OpenTelemetryApiLike | undefined {
  try {
    const requireHere = typeof require === 'function' ? require : createRequire(import.meta.url);
    return requireHere('@opentelemetry/api') as OpenTelemetryApiLike;
  } catch {
    return undefined;
  }
}
