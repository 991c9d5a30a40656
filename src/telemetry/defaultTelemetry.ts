import { packageVersion } from '../version.js';
import type { MeterLike } from './MeterLike.js';
import { openTelemetryApi } from './openTelemetryApi.js';
import { telemetryNames } from './telemetryNames.js';
import type { TracerLike } from './TracerLike.js';

/**
 * The global tracer when `@opentelemetry/api` is installed, else `false` (tracing off).
 *
 * @remarks
 * The API's global tracer is a proxy: a breaker created before the application registers its SDK still gets
 * real spans once it does.
 */
export function defaultTracer(): TracerLike | false {
  return openTelemetryApi()?.trace.getTracer(telemetryNames.scope, packageVersion) ?? false;
}

/**
 * The global meter when `@opentelemetry/api` is installed and an SDK is registered, else `false` (metrics off).
 *
 * @remarks
 * Unlike the tracer, the API's global meter is not a proxy: a meter taken before the SDK is registered stays a
 * no-op for good. So with no SDK registered yet, metrics are off: that costs nothing per call, and records the
 * same nothing the no-op meter would have.
 */
export function defaultMeter(): MeterLike | false {
  const api = openTelemetryApi();
  if (!api) return false;
  const meter = api.metrics.getMeter(telemetryNames.scope, packageVersion);
  return meter === api.createNoopMeter() ? false : meter;
}
