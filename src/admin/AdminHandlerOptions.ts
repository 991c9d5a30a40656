import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A control the admin handler offers: `POST <base>/breakers/<name>/<control>`.
 *
 * @public
 */
export type AdminControl = 'open' | 'close' | 'half-open' | 'isolate' | 'disable';

/**
 * What a request asks for: `'read'` (the page, the snapshot, the event stream) or a control.
 *
 * @public
 */
export type AdminAction = 'read' | AdminControl;

/**
 * Options of {@link adminHandler}.
 *
 * @public
 */
export interface AdminHandlerOptions {
  /**
   * Asked for every request, reads included, before anything else; may be async. `false` refuses it: 401 when the
   * request carries no credentials (neither an `authorization` nor a `cookie` header), 403 when it does. A
   * throw or rejection refuses it with 500. Required: there is no default.
   */
  readonly authorize: (request: IncomingMessage, action: AdminAction) => boolean | Promise<boolean>;
  /** Refuse every control with 403 (the page then shows no buttons). Default false. */
  readonly readOnly?: boolean;
  /**
   * The prefix the handler is mounted under on a plain Node server, such as `'/ops/breakers'`; requests outside
   * it go to `next` (or get 404). Leave it out under Express's `app.use('/ops', handler)`, which strips the
   * prefix itself. Default `''`.
   */
  readonly basePath?: string;
}

/**
 * A plain Node request handler; `next` (Express, Connect) gets the requests outside `basePath`.
 *
 * @public
 */
export type AdminHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;
