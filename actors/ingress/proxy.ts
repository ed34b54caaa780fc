/**
 * The ingress controller's data plane: an HTTP and an HTTPS listener on one host address,
 * each request routed by the current configuration (machines/ingress/routes.ts) to a ready
 * endpoint of its backend, round robin, and proxied with http-proxy-3 — bodies streamed both
 * ways, WebSocket upgrades passed through, X-Forwarded-For/-Proto/-Host/-Port set as
 * ingress-nginx sets them by default (use-forwarded-headers false: a client's own are replaced).
 *
 * A configuration change swaps one reference: a request keeps the configuration it started
 * with, so no in-flight request is dropped. HTTPS picks the certificate by SNI (an exact host,
 * then its wildcard), else the default certificate.
 */
import { Agent as HttpAgent, createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { createProxyServer } from 'http-proxy-3';
import { lookupHost, matchRoute, type BackendRef, type RouteTable } from '../../machines/ingress/routes.ts';
import type { Resolved, Target } from '../../machines/ingress/endpoints.ts';

/** What the controller hands the listeners; replaced whole on every change. */
export interface ProxyConfig {
  routes: RouteTable;
  /** TLS contexts by host (a wildcard host as written). */
  certificates: ReadonlyMap<string, SecureContext>;
}

export interface ProxyOptions {
  address: string;
  httpPort: number;
  httpsPort: number;
  /** The default certificate (PEM). */
  defaultCertificate: { cert: string; key: string };
}

/** The ready endpoints of a backend now (the controller reads its informers' caches on every request). */
export type Resolver = (b: BackendRef) => Resolved;

const EMPTY: ProxyConfig = { routes: { hosts: new Map() }, certificates: new Map() };

/** ingress-nginx's default backend answer. */
export const NOT_FOUND_BODY = 'default backend - 404\n';

export class IngressProxy {
  #config: ProxyConfig = EMPTY;
  readonly #http: Server;
  readonly #https: Server;
  /** Connections to backends are kept and reused, as nginx's upstream keepalive does: a new one per request costs most of the proxy's time. */
  readonly #agent = new HttpAgent({ keepAlive: true, maxFreeSockets: 64 });
  readonly #proxy = createProxyServer({ ws: true, agent: this.#agent });
  readonly #next = new Map<string, number>();
  #resolve: Resolver = () => ({ type: 'unavailable', reason: 'the ingress controller has not synced yet' });

  constructor(private readonly opts: ProxyOptions) {
    this.#http = createHttpServer((req, res) => this.#web(req, res));
    this.#https = createHttpsServer(
      { ...opts.defaultCertificate, SNICallback: (name, cb) => cb(null, lookupHost(this.#config.certificates, name)) },
      (req, res) => this.#web(req, res),
    );
    for (const s of [this.#http, this.#https]) s.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#upgrade(req, socket, head));
    // A backend that resets mid-response: the client's socket goes with it (headers are out already).
    this.#proxy.on('error', () => {});
  }

  /** Binds both listeners; resolves to the bound ports (a 0 port picks a free one). */
  async listen(): Promise<{ http: number; https: number }> {
    const http = await bind(this.#http, this.opts.address, this.opts.httpPort);
    try {
      const https = await bind(this.#https, this.opts.address, this.opts.httpsPort);
      return { http, https };
    } catch (err) {
      this.#http.close();
      throw err;
    }
  }

  /** Takes effect for the next request; requests under way finish on the configuration they began with. */
  configure(config: ProxyConfig): void {
    this.#config = config;
  }

  /** Set by each controller incarnation, whose caches it reads. */
  setResolver(resolve: Resolver): void {
    this.#resolve = resolve;
  }

  get config(): ProxyConfig {
    return this.#config;
  }

  async close(): Promise<void> {
    this.#agent.destroy();
    for (const s of [this.#http, this.#https]) s.closeAllConnections();
    await Promise.all([this.#http, this.#https].map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  /** A backend target for the request, or the status and body to answer with instead. */
  #route(req: IncomingMessage): { target: Target } | { status: number; body: string } {
    const m = matchRoute(this.#config.routes, req.headers.host ?? '', req.url ?? '/');
    if (m.type === 'none') return { status: 404, body: NOT_FOUND_BODY };
    const r = this.#resolve(m.backend);
    if (r.type === 'unavailable') return { status: 503, body: `503 Service Temporarily Unavailable: ${r.reason}\n` };
    const key = `${m.backend.namespace}/${m.backend.service}:${m.backend.port.name ?? m.backend.port.number}`;
    const i = (this.#next.get(key) ?? 0) % r.targets.length;
    this.#next.set(key, i + 1);
    return { target: r.targets[i]! };
  }

  #web(req: IncomingMessage, res: ServerResponse): void {
    const r = this.#route(req);
    if ('status' in r) return answer(res, r.status, r.body);
    setForwarded(req);
    this.#proxy.web(req, res, { target: `http://${r.target.ip}:${r.target.port}` }, (err) => {
      if (!res.headersSent) answer(res, 502, `502 Bad Gateway: ${r.target.ip}:${r.target.port}: ${(err as Error).message}\n`);
      else res.destroy();
    });
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const r = this.#route(req);
    if ('status' in r) {
      socket.end(`HTTP/1.1 ${r.status} ${r.status === 404 ? 'Not Found' : 'Service Unavailable'}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(r.body)}\r\nconnection: close\r\n\r\n${r.body}`);
      return;
    }
    socket.on('error', () => socket.destroy());
    setForwarded(req);
    this.#proxy.ws(req, socket, head, { target: `http://${r.target.ip}:${r.target.port}` }, () => socket.destroy());
  }
}

/**
 * ingress-nginx's headers: the client's address, the scheme and the port it connected to (the
 * listener's, not the Host header's: http-proxy's xfwd takes 80/443 when Host names none), and
 * the Host it asked for.
 */
function setForwarded(req: IncomingMessage): void {
  const socket = req.socket;
  req.headers['x-forwarded-for'] = socket.remoteAddress ?? '';
  req.headers['x-forwarded-port'] = String(socket.localPort ?? '');
  req.headers['x-forwarded-proto'] = (socket as TLSSocket).encrypted ? 'https' : 'http';
  req.headers['x-forwarded-host'] = req.headers.host ?? '';
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function bind(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}
