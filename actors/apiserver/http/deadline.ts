import type { IncomingMessage, ServerResponse } from 'node:http';
import { status, type Status } from '../../../base/status.ts';
import type { FrontContext } from './context.ts';
import { sendStatus } from './respond.ts';
import type { Route } from './route.ts';
import { verbOf } from './resources.ts';

/** The apiserver's --request-timeout default: how long a request that is not long-running may take. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** Subresources that stream, as kube-apiserver's long-running check lists them. */
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

/**
 * kube-apiserver's BasicLongRunningRequestCheck: watches and the streaming subresources run
 * as long as they need (a watch ends on its own timeoutSeconds); everything else is bounded.
 */
export function isLongRunning(method: string, route: Route, query: URLSearchParams): boolean {
  if (route.type !== 'resource') return false;
  if (route.subresource !== undefined && LONG_RUNNING_SUBRESOURCES.has(route.subresource)) return true;
  return verbOf(method, route, query) === 'watch';
}

/** Kubernetes' answer when a request overran --request-timeout (WithTimeoutForNonLongRunningRequests). */
export const requestTimedOut = (): Status =>
  status(504, 'Timeout', 'Timeout: request did not complete within the allotted timeout', {});

/**
 * Bounds one request by --request-timeout, the way the apiserver's timeout filter does: past
 * it, a 504 Timeout Status is answered if nothing was yet (and the connection closes when the
 * body is still arriving, so a client that trickles one holds nothing); a response already
 * under way is cut. Whatever the handler writes later is dropped.
 */
export function applyRequestTimeout(ctx: FrontContext, req: IncomingMessage, res: ServerResponse): void {
  const timer = ctx.clock.setTimeout(() => {
    if (res.writableEnded) return;
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    sendStatus(res, requestTimedOut());
  }, ctx.requestTimeoutMs);
  res.once('close', () => ctx.clock.clearTimeout(timer));
}
