import type { IncomingMessage, ServerResponse } from 'node:http';
import { internalError, isStatus, status, type Status } from '../../../base/status.ts';

/**
 * Writing answers at the HTTP edge. Errors live as Status data everywhere else; this is the
 * one place they become an HTTP status code with Kubernetes' Status body.
 */

/**
 * Sends a JSON body with `code` (200 by default) and the given Content-Type. The body goes
 * out as a Buffer: Node then writes the head as latin1, which header values set as UTF-8
 * bytes (warning.ts) need.
 */
export function sendJson(res: ServerResponse, body: unknown, code = 200, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': bytes.length,
    'Cache-Control': 'no-cache, private',
    ...closeIfBodyPending(res),
  });
  res.end(bytes);
}

/**
 * An answer given before the request's body has arrived (401, 413, 415, a timeout) closes the
 * connection once sent: otherwise Node would keep reading, and discarding, whatever a slow or
 * hostile client still sends, holding the socket for as long as it likes.
 */
function closeIfBodyPending(res: ServerResponse): { Connection?: 'close' } {
  const req = res.req as IncomingMessage | undefined;
  if (!req || req.complete) return {};
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  return hasBody ? { Connection: 'close' } : {};
}

/**
 * Sends a Status as Kubernetes does: its `code` is the HTTP status; a 429's
 * `details.retryAfterSeconds` is also the Retry-After header clients wait by.
 */
export function sendStatus(res: ServerResponse, status: Status): void {
  const after = status.details?.retryAfterSeconds;
  if (status.code === 429 && after && after > 0 && !res.headersSent) res.setHeader('Retry-After', String(after));
  sendJson(res, status, status.code);
}

/** Sends plain text (health endpoints, logs that are not followed, metrics). */
export function sendText(res: ServerResponse, text: string, code = 200, contentType = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...closeIfBodyPending(res) });
  res.end(text);
}

/** Turns anything thrown inside a handler into a Status: a Status stays itself, the rest is a 500. */
export function toStatus(err: unknown): Status {
  if (isStatus(err)) return err;
  if (typeof err === 'object' && err !== null && 'status' in err && isStatus(err.status)) return err.status;
  return internalError(err instanceof Error ? err.message : String(err));
}

/** Kubernetes' answer for a path nothing serves (details present but empty, as the real one sends). */
export function pathNotFound(): Status {
  return status(404, 'NotFound', 'the server could not find the requested resource', {});
}
