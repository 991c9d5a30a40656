/** How slowly the service answers, for the introduction line: empty when it answers at once. */
export function latencyText(options: { readonly latency: number }): string {
  return options.latency > 0 ? `, each answer after ${options.latency} ms` : '';
}
