import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOptions, failOption } from '../config/checkOptions.js';
import type { Check } from '../config/checkOptions.js';
import type { BreakerRegistry } from '../registry/BreakerRegistry.js';
import type { AdminHandler, AdminHandlerOptions } from './AdminHandlerOptions.js';
import { controls } from './controls.js';
import { dashboardPage } from './dashboardPage.js';
import { serveEventStream } from './eventStream.js';
import { BodyError, readJsonBody } from './readJsonBody.js';
import { sendError, sendJson } from './respond.js';
import { actionOf, route } from './route.js';
import type { ControlRoute, Route } from './route.js';

/**
 * Creates a request handler that serves a registry to operators: a live dashboard page, the snapshot as JSON, an
 * event stream, and controls.
 *
 * @remarks
 * Routes, under `basePath`: `GET /` the dashboard; `GET /breakers` the snapshot; `GET /breakers/events` server-sent
 * events; `POST /breakers/:name/{open,close,half-open,isolate,disable}` acts on every live breaker of that exact name.
 *
 * Every request is first put to `authorize` (401/403 when refused); then 404 for an unknown path or breaker, 405
 * for a wrong method, 415 for a control without `content-type: application/json` (which a form on another origin
 * cannot send, so a page elsewhere cannot act through an operator's browser), 413 for a body over 64 KB and 400
 * for one that is not a JSON object. A refused request changes nothing.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * import { breakerRegistry } from 'rxjs-circuit-breaker';
 * import { adminHandler } from 'rxjs-circuit-breaker/admin';
 *
 * const admin = adminHandler(breakerRegistry(), {
 *   authorize: (request) => request.headers.authorization === `Bearer ${process.env.ADMIN_TOKEN}`,
 *   basePath: '/ops/breakers',
 * });
 * http.createServer(admin).listen(9000);
 * ```
 * @public
 */
export function adminHandler(
  registry: BreakerRegistry,
  options: AdminHandlerOptions,
): AdminHandler {
  const { authorize, readOnly = false, basePath = '' } = validateOptions(registry, options);
  const page = dashboardPage({ readOnly });
  return (request, response, next) => {
    const path = pathWithin(request.url ?? '/', basePath);
    if (path === undefined) {
      if (next) next();
      else sendError(response, 404, 'not found');
      return;
    }
    const target = route(path);
    authorized(authorize, request, target)
      .then((refusal) => {
        if (refusal) return sendError(response, refusal.status, refusal.message);
        return serve(registry, { readOnly, page }, target, request, response);
      })
      .catch(() => {
        // A fault of ours (or of the store behind a control) ends this request, never the process.
        if (response.headersSent) response.end();
        else sendError(response, 500, 'internal error');
      });
  };
}

interface Served {
  readonly readOnly: boolean;
  readonly page: string;
}

async function serve(
  registry: BreakerRegistry,
  { readOnly, page }: Served,
  target: Route,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (target.kind === 'unknown') return sendError(response, 404, 'not found');
  if (target.kind === 'bad-name')
    return sendError(response, 400, 'the breaker name is badly encoded');
  if (!target.methods.includes(request.method ?? '')) {
    return sendError(response, 405, `use ${target.methods.join(', ')}`, {
      allow: target.methods.join(', '),
    });
  }
  if (target.kind === 'control') return control(registry, readOnly, target, request, response);
  if (target.kind === 'snapshot') return sendJson(response, 200, registry.snapshot());
  if (target.kind === 'events') return serveEventStream(registry, request, response);
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
    'x-frame-options': 'DENY',
  });
  response.end(page);
}

/** Applies a control to every live breaker of the name, once the request has passed every check. */
async function control(
  registry: BreakerRegistry,
  readOnly: boolean,
  { name, control }: ControlRoute,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (readOnly) return sendError(response, 403, 'this handler is read-only');
  const unknown = () => sendError(response, 404, `no breaker named ${JSON.stringify(name)}`);
  if (registry.breakers(name).length === 0) return unknown();
  if (!isJson(request.headers['content-type'])) {
    return sendError(response, 415, 'controls require content-type: application/json');
  }
  try {
    await readJsonBody(request);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return sendError(response, error.status, error.message, { connection: 'close' });
  }
  // Picked once the body is in, not before: a breaker disposed meanwhile (an idle sweep, a group's eviction) is
  // no longer live, and its control would reject.
  const breakers = registry.breakers(name);
  if (breakers.length === 0) return unknown();
  await Promise.all(breakers.map(controls[control]));
  const entries = registry.snapshot().filter((entry) => entry.name === name);
  sendJson(response, 200, { name, control, breakers: entries });
}

async function authorized(
  authorize: AdminHandlerOptions['authorize'],
  request: IncomingMessage,
  target: Route,
): Promise<{ status: number; message: string } | undefined> {
  try {
    if (await authorize(request, actionOf(target))) return undefined;
  } catch {
    return { status: 500, message: 'authorization failed' };
  }
  const { authorization, cookie } = request.headers;
  return authorization === undefined && cookie === undefined
    ? { status: 401, message: 'credentials required' }
    : { status: 403, message: 'not allowed' };
}

/** The path after `basePath`, or undefined when the request is outside it; the query string is dropped. */
function pathWithin(url: string, basePath: string): string | undefined {
  const path = url.split('?', 1)[0] ?? '';
  if (basePath === '') return path;
  if (path === basePath) return '';
  return path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : undefined;
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

function validateOptions(
  registry: BreakerRegistry,
  options: AdminHandlerOptions,
): AdminHandlerOptions {
  if (typeof (registry as Partial<BreakerRegistry> | null)?.snapshot !== 'function') {
    throw new TypeError(
      'adminHandler: the first argument must be a registry, such as breakerRegistry()',
    );
  }
  checkOptions(owner, 'the options', options, optionChecks);
  if (options.authorize === undefined) {
    throw new TypeError(
      'adminHandler: "authorize" is required: a function (request, action) => boolean that decides who may read and act',
    );
  }
  return options;
}

const owner = 'adminHandler';

const optionChecks: Record<keyof AdminHandlerOptions, Check> = {
  authorize: (option, value) => {
    if (typeof value !== 'function') {
      failOption(owner, option, 'a function (request, action) => boolean', value);
    }
  },
  readOnly: (option, value) => {
    if (typeof value !== 'boolean') failOption(owner, option, 'a boolean', value);
  },
  basePath: (option, value) => {
    if (
      typeof value !== 'string' ||
      (value !== '' && (!value.startsWith('/') || value.endsWith('/')))
    ) {
      failOption(
        owner,
        option,
        'a path starting with "/" and not ending with one, such as "/ops/breakers"',
        value,
      );
    }
  },
};
