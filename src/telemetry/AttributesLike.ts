/**
 * Attributes as this library sets them on spans, span events and metric points: string, number or boolean
 * values under dotted names (OpenTelemetry's `Attributes` accepts these).
 *
 * @public
 */
export type AttributesLike = Readonly<Record<string, string | number | boolean>>;
