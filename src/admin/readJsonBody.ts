import type { IncomingMessage } from 'node:http';

/** The largest control body accepted. */
export const maxBodyBytes = 64 * 1024;

/** Why a body was refused, as an HTTP status and a message. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a control's body: empty or a JSON object, at most 64 KB. A body a framework already parsed
 * (`express.json()` leaves it on `request.body`) is taken as is. Only `JSON.parse` ever reads it.
 */
export async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const parsed = (request as { body?: unknown }).body;
  const body = parsed !== undefined ? parsed : parse(await readText(request));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BodyError(400, 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function parse(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, 'the body is not valid JSON');
  }
}

/** Reads the body as text; past the limit it stops keeping it (the rest drains unread) and refuses it. */
function readText(request: IncomingMessage): Promise<string> {
  const tooLarge = new BodyError(413, `the body is larger than ${maxBodyBytes} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) {
    request.resume();
    return Promise.reject(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) return void chunks.push(chunk);
      request.off('data', keep);
      request.resume();
      reject(tooLarge);
    };
    request.on('data', keep);
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}
