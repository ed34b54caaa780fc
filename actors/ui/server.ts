/**
 * The web UI's HTTP and WebSocket server (`kubeactor up --ui`, `kubeactor replay LOG --ui`).
 * It serves the bundled app (assets.ts) and speaks a small JSON protocol over one WebSocket
 * per tab (protocol.ts): the tab asks for windows of the cluster's lists, an actor, the
 * messages matching a filter; the server answers and then pushes what changes — the
 * cluster's summary and the windows the tab shows (at most every `frameMs`), the watched
 * actor's states, new messages, and in a replay the position.
 *
 * It listens on 127.0.0.1 by default. Bound anywhere else it must be given the kubeconfig's
 * bearer token and asks for it (an `Authorization: Bearer` header, or `?token=` once, kept in a cookie), and
 * a WebSocket from another origin is refused either way (a page on another site must not
 * drive a tab's session).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { status, unauthorized, type Status } from '../../base/status.ts';
import { safeJson } from '../inspect/sanitize.ts';
import { uiAssets, type UiAssets } from './assets.ts';
import { Session } from './session.ts';
import type { UiSource } from './source.ts';

export interface UiServerOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1; anything not on 127.0.0.0/8 (or ::1) requires `token`. */
  host?: string;
  /** The kubeconfig's bearer token: asked for when given, and it must be given when `host` is not loopback. */
  token?: string;
  /** Least time between two cluster frames to one tab (default 200 ms). */
  frameMs?: number;
}

export interface UiServer {
  readonly url: string;
  readonly port: number;
  /** Open tabs. */
  readonly clients: number;
  /** Frames and bytes pushed so far (the bench reads them). */
  stats(): { frames: number; bytes: number };
  close(): Promise<void>;
}

/** `--ui` without a port. */
export const DEFAULT_UI_PORT = 8090;

const COOKIE = 'kubeactor-ui-token';

export const isLoopback = (host: string): boolean => /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost';

/** The token a request presents, from its header, its query or its cookie. */
function presented(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const q = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  if (q) return q;
  for (const c of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = c.trim().split('=');
    if (k === COOKIE && v) return decodeURIComponent(v);
  }
  return undefined;
}

const same = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function sendStatus(res: ServerResponse, s: Status): void {
  res.writeHead(s.code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(s));
}

const page = (title: string, hash: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title.replace(/[<>&"]/g, '')}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/app.css?${hash}"></head>
<body><div id="app"></div><script src="/app.js?${hash}"></script></body></html>`;

export async function startUiServer(source: UiSource, opts: UiServerOptions = {}): Promise<UiServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.token) throw new Error(`ui: listening on ${host} needs the kubeconfig's bearer token`);
  const token = opts.token;
  const assets: UiAssets = await uiAssets();
  const counters = { frames: 0, bytes: 0 };
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (token !== undefined) {
      const t = presented(req);
      if (t === undefined || !same(t, token)) return sendStatus(res, unauthorized());
    }
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    const cookie = token !== undefined && url.searchParams.has('token') ? { 'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` } : {};
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(res, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { ...headers, ...cookie, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:" });
        return void res.end(page(source.title, assets.hash));
      case '/app.js':
        res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
        return void res.end(assets.js);
      case '/app.css':
        res.writeHead(200, { ...headers, 'content-type': 'text/css; charset=utf-8' });
        return void res.end(assets.css);
      default:
        return sendStatus(res, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
    }
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const origin = req.headers.origin;
    const bad = (token !== undefined && !same(presented(req) ?? '', token)) || (origin !== undefined && new URL(origin).host !== req.headers.host);
    if (bad) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\r\n' + JSON.stringify(unauthorized()));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const sessions = new Set<Session>();
  wss.on('connection', (ws: WebSocket) => {
    const session = new Session(source, (frame) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const json = safeJson(frame);
      counters.frames++;
      counters.bytes += json.length;
      ws.send(json);
    }, opts.frameMs ?? 200);
    sessions.add(session);
    ws.on('message', (data) => void session.receive(data.toString()));
    ws.on('close', () => {
      session.close();
      sessions.delete(session);
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    get clients() {
      return wss.clients.size;
    },
    stats: () => ({ ...counters }),
    async close() {
      for (const s of sessions) s.close();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** What `up --ui` prints. */
export const uiBanner = (s: UiServer): string => `Web UI: open ${s.url} in a browser`;
