import type { ServerResponse } from 'node:http';

/** Sends `body` as JSON; the admin routes are never cached. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(JSON.stringify(body));
}

/** Sends an error as `{ "error": message }`. */
export function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  headers?: Record<string, string>,
): void {
  sendJson(response, status, { error: message }, headers);
}
