import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Bus } from '../../../bus/bus.ts';
import type { Envelope } from '../../../base/envelope.ts';
import { badRequest, isInternalError, status, unauthorized } from '../../../base/status.ts';
import type { ServedKind } from '../../../api/discovery/types.ts';
import { kindRegistry } from '../../../api/kinds.ts';
import { expandServedVersions } from '../../../api/conversion/served-versions.ts';
import { APISERVER_ADDRESS } from '../../../bus/permissions.ts';
import { HTTP_FRONT_ADDRESS, TRUSTED_EDGE_PREFIX } from '../identity.ts';
import { authenticateRequest } from './auth.ts';
import { authorizePath, impersonate } from './authorize.ts';
import type { FrontContext, RequestInfo } from './context.ts';
import { parseRoute, type Route } from './route.ts';
import { pathNotFound, sendJson, sendStatus, sendText, toStatus } from './respond.ts';
import { serveDiscovery } from './discovery.ts';
import { serveResource } from './resources.ts';
import { serveOpenApi } from './openapi.ts';
import { WatchStreams, type WatchStreamStats } from './watch-streams.ts';
import { VERSION_INFO } from './version.ts';
import { isReview, REVIEW_KINDS, serveReview } from './reviews.ts';
import { loadOrCreateTls, type FrontTls } from './tls/cert.ts';
import { applyRequestTimeout, DEFAULT_REQUEST_TIMEOUT_MS, isLongRunning } from './deadline.ts';
import { FrontMetrics, serveMetrics } from './metrics.ts';
import type { MetricsRegistry } from '../../../base/metrics.ts';
import type { Logger } from '../../actor-def.ts';
import { consoleLogger } from '../../logger.ts';
import { streamUpgrades } from './stream-upgrade.ts';
import { type Clock } from '../../../base/clock.ts';
import { realClock } from '../../../base/real-clock.ts';
import type { Auditor } from '../audit/auditor.ts';
import { assignAuditId, auditAttributes, auditOf, auditRequest } from './audit.ts';
import { ANONYMOUS_USER } from '../identity.ts';
import type { FlowControl } from '../flowcontrol/controller.ts';
import { renderFlowMetrics } from '../flowcontrol/report.ts';
import { serveFlowControlDump } from './flowcontrol.ts';

export interface HttpFrontOptions {
  bus: Bus;
  /** The TCP port; 0 picks a free one (read it from the returned front). */
  port: number;
  /** Loopback only. */
  address: '127.0.0.1';
  /** The bearer token kubectl presents; it stands for the admin user. */
  token: string;
  /** Holds the TLS material (`pki/`) and the kubeconfig (see writeKubeconfig). */
  dataDir: string;
  /** TLS material; default: loaded from (or generated into) `<dataDir>/pki`. kubectl sends tokens only over TLS. */
  tls?: FrontTls;
  /** The served kinds (default: the live api/kinds registry, followed as kinds are registered and unregistered). */
  kinds?: readonly ServedKind[];
  /** The front's bus address; must start with `edge.` so the apiserver believes the stated user. */
  busAddress?: string;
  /** The apiserver's bus address (default "apiserver"). */
  apiserver?: string;
  /**
   * The apiserver's --request-timeout, in ms (default 60000): how long a request that is not
   * long-running may take, reading its body and waiting for the apiserver included; past it,
   * a 504 Timeout Status. Watches and pods/log are long-running and never cut by it.
   */
  requestTimeoutMs?: number;
  /** Times watches and request deadlines (default: the wall clock). */
  clock?: Clock;
  /** The cluster's metrics registry (ActorHost.metrics), served on /metrics with the front's own families; one of its own by default. */
  metrics?: MetricsRegistry;
  /** Where the front logs (default: the console). */
  logger?: Logger;
  /** Bytes a watch stream may have waiting for a client that does not read before it is closed (default 16 MiB). */
  watchBacklogBytes?: number;
  /** Logs REST requests to the audit log (--audit-policy-file); absent: no audit. */
  audit?: Auditor;
  /** The apiserver's API Priority and Fairness: its metrics on /metrics and /debug/api_priority_and_fairness/*; absent: not shown. */
  flowControl?: FlowControl;
  /** Kept for symmetry with other actors' start functions; the front is not a state machine. */
  host?: unknown;
}

export interface HttpFront {
  /** The port actually bound. */
  port: number;
  /** https://127.0.0.1:<port> */
  url: string;
  /** PEM of the CA that signed the serving certificate (the kubeconfig's certificate-authority-data). */
  caCert: string;
  /** The open watch streams' accounting (bytes buffered, streams cut for not reading). */
  watchStats(): WatchStreamStats;
  /** Stops accepting, ends open watches and streams, unregisters the bus address. */
  close(): Promise<void>;
}

/**
 * Starts the apiserver's HTTP front: the Kubernetes REST API on loopback, each request
 * turned into an `api.*` bus message to the apiserver actor and its Result back into an
 * HTTP response. Errors stay Status data until here.
 */
export async function startHttpFront(opts: HttpFrontOptions): Promise<HttpFront> {
  const address = opts.busAddress ?? HTTP_FRONT_ADDRESS;
  if (!address.startsWith(TRUSTED_EDGE_PREFIX)) throw new Error(`the HTTP front's bus address must start with "${TRUSTED_EDGE_PREFIX}" (got "${address}")`);
  const tls = opts.tls ?? (await loadOrCreateTls(opts.dataDir));
  const watches = new WatchStreams(opts.watchBacklogBytes);
  const streams = new Map<string, (env: Envelope) => void>();
  const port = opts.bus.register(address, (env) => {
    if (watches.handle(env)) return;
    const p = env.payload;
    if (typeof p === 'object' && p !== null && 'id' in p && typeof p.id === 'string') streams.get(p.id)?.(env);
  });
  // A custom resource's other served versions are kinds of their own here, converted at the front.
  const served = (): readonly ServedKind[] => [...expandServedVersions<ServedKind>(opts.kinds ?? kindRegistry.all()), ...REVIEW_KINDS];
  const kinds = served();
  const ctx: FrontContext = {
    port,
    apiserver: opts.apiserver ?? APISERVER_ADDRESS,
    kinds,
    watches,
    streams,
    requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    clock: opts.clock ?? realClock,
    log: opts.logger ?? consoleLogger,
    metrics: new FrontMetrics(kinds, { busStats: () => opts.bus.stats(), now: () => (opts.clock ?? realClock).now(), ...(opts.metrics ? { registry: opts.metrics } : {}) }),
    ...(opts.audit ? { audit: opts.audit } : {}),
    ...(opts.flowControl ? { flowControl: opts.flowControl } : {}),
  };
  if (opts.audit) ctx.metrics.include(() => opts.audit!.renderMetrics());
  if (opts.flowControl) ctx.metrics.include(() => renderFlowMetrics(opts.flowControl!));
  // Discovery, OpenAPI, the routes and the metrics labels follow the registry from the next request on.
  const stopFollowing = opts.kinds
    ? undefined
    : kindRegistry.onChange(() => {
        ctx.kinds = served();
        ctx.metrics.serve(ctx.kinds);
      });
  // Client certificates are asked for, not required (kube-apiserver's --client-ca-file): a
  // certificate that does not verify is judged per request (x509.ts), so a bearer token still works.
  const tlsOptions = { key: tls.key, cert: tls.cert, ca: tls.caCert, requestCert: true, rejectUnauthorized: false };
  const server = createServer({ ...tlsOptions, ...nodeTimeouts(ctx.requestTimeoutMs) }, (req, res) => {
    handle(ctx, opts.token, req, res).catch((err: unknown) => {
      // Already answered (a timeout) or the client is gone: there is no one left to tell.
      if (res.headersSent || req.socket.destroyed) return void res.end();
      const st = toStatus(err);
      if (isInternalError(st)) {
        ctx.log.error('request failed', { method: req.method, path: req.url?.split('?')[0], err });
        auditOf(req)?.panic(err instanceof Error ? err.message : String(err));
      }
      sendStatus(res, st);
    });
  });
  server.on('upgrade', streamUpgrades(ctx, opts.token));
  // A connection's identity is its handshake's certificate: renegotiation could swap it mid-connection.
  server.on('secureConnection', (socket) => socket.disableRenegotiation());
  try {
    await listen(server, opts.port, opts.address);
  } catch (err) {
    stopFollowing?.();
    port.close();
    throw err;
  }
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `https://${opts.address}:${bound}`,
    caCert: tls.caCert,
    watchStats: () => watches.stats(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      stopFollowing?.();
      port.close();
    },
  };
}

/**
 * Node's own limits, behind the request deadline: headers within 32 s (kube-apiserver's
 * ReadHeaderTimeout), a whole request received within the deadline plus a margin (a backstop:
 * the deadline answers first), idle keep-alive connections kept as Go's client expects. A
 * watch's request is complete once its headers are in, so none of these cut a watch.
 */
function nodeTimeouts(requestTimeoutMs: number): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number } {
  const requestTimeout = requestTimeoutMs + 30_000;
  return { headersTimeout: Math.min(32_000, requestTimeout), requestTimeout, keepAliveTimeout: 65_000 };
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The request's URL, or null for a target no URL parser takes (`//[`): a client error, not a 500. */
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

async function handle(ctx: FrontContext, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  const route: Route = url ? parseRoute(url.pathname) : { type: 'unknown' };
  const query = url?.searchParams ?? new URLSearchParams();
  const longRunning = isLongRunning(req.method ?? 'GET', route, query);
  ctx.metrics.observe(req, res, route, query, longRunning);
  const auditID = assignAuditId(req, res);
  if (!longRunning) applyRequestTimeout(ctx, req, res);
  if (!url) return sendStatus(res, badRequest('the request target is not a valid URL path'));
  // Health and version are public, as on a kubeadm cluster (system:public-info-viewer).
  if (route.type === 'health' || route.type === 'version') {
    if (ctx.audit) {
      const user = req.headers.authorization ? await authenticateRequest(ctx, req, token) : null;
      auditRequest(ctx.audit, req, res, auditAttributes(req, route, url, user ?? ANONYMOUS_USER), auditID, false);
    }
    return route.type === 'health' ? sendText(res, 'ok') : sendJson(res, VERSION_INFO);
  }
  const caller = await authenticateRequest(ctx, req, token);
  // A request that fails authentication is logged without a user, as kube-apiserver logs it.
  if (ctx.audit) auditRequest(ctx.audit, req, res, auditAttributes(req, route, url, caller ?? { username: '', groups: [] }), auditID, longRunning);
  if (!caller) return sendStatus(res, unauthorized());
  const acting = await impersonate(ctx, req, caller);
  if (!acting.ok) return sendStatus(res, acting.status);
  const user = acting.value;
  if (user !== caller) auditOf(req)?.impersonated(user);
  const info: RequestInfo = { user, url, accept: req.headers.accept };
  if (route.type !== 'resource') {
    const denied = await authorizePath(ctx, user, req.method ?? 'GET', url.pathname);
    if (denied) return sendStatus(res, denied);
  }
  switch (route.type) {
    case 'resource':
      if (isReview(route)) return serveReview(ctx, info, route, req, res);
      return serveResource(ctx, info, route, req, res);
    case 'openapi-root':
    case 'openapi-gv':
    case 'openapi-v2':
      return serveOpenApi(ctx, route, req, res);
    case 'metrics':
      return serveMetrics(ctx.metrics, req, res);
    case 'debug-apf':
      return serveFlowControlDump(ctx.flowControl, route.dump, req, res);
    case 'unknown':
      return sendStatus(res, pathNotFound());
    default:
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(res, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
      return serveDiscovery(ctx, route, req, res);
  }
}
