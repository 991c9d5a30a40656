import type { AdminAction, AdminControl } from './AdminHandlerOptions.js';
import { isControl } from './controls.js';

/** A control addressed to the breakers of one name. */
export interface ControlRoute {
  readonly kind: 'control';
  readonly methods: readonly string[];
  readonly name: string;
  readonly control: AdminControl;
}

/** What a request path names, before anything is checked against the registry. */
export type Route =
  | { readonly kind: 'page' | 'snapshot' | 'events'; readonly methods: readonly string[] }
  | ControlRoute
  | { readonly kind: 'bad-name' }
  | { readonly kind: 'unknown' };

const reads = ['GET'];

/**
 * Parses the path (after the base path) without normalising it: segments are split on `/` first, then each is
 * decoded, so `%2F` stays inside a breaker's name and `..` is a name like any other.
 */
export function route(path: string): Route {
  if (path === '' || path === '/') return { kind: 'page', methods: reads };
  if (path === '/breakers') return { kind: 'snapshot', methods: reads };
  if (path === '/breakers/events') return { kind: 'events', methods: reads };
  const [empty, breakers, rawName, control, ...rest] = path.split('/');
  if (empty !== '' || breakers !== 'breakers' || rawName === undefined || rest.length > 0) {
    return { kind: 'unknown' };
  }
  if (control === undefined || !isControl(control)) return { kind: 'unknown' };
  try {
    return { kind: 'control', methods: ['POST'], name: decodeURIComponent(rawName), control };
  } catch {
    return { kind: 'bad-name' };
  }
}

/** What `authorize` is asked about this route. */
export function actionOf(route: Route): AdminAction {
  return route.kind === 'control' ? route.control : 'read';
}
