/**
 * pods/exec, pods/attach and pods/portforward: the upgrade requests kubectl 1.32 sends.
 * exec and attach (and `run -i`, `cp`) speak WebSocket with the `v5.channel.k8s.io`
 * subprotocol; port-forward tunnels SPDY/3.1 in WebSocket (`SPDY/3.1+portforward.k8s.io`)
 * and falls back to a plain SPDY upgrade, as exec does when the WebSocket upgrade fails.
 *
 * The request is authenticated and the pod read as the user (the same check as pods/log),
 * the container chosen and checked as kube-apiserver's ExecLocation does, then the pod's
 * kubelet is asked to open the session (bus/catalogue/streams.ts). Every refusal before the
 * upgrade is a Status with its HTTP code, which kubectl prints as "Error from server (…)"
 * on both the WebSocket and the SPDY path (a sim pod's port-forward is refused that way, by
 * its runtime). Port-forward is then served by portforward.ts on either transport.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Envelope } from '../../../base/envelope.ts';
import { WebSocketServer, type WebSocket } from 'ws';
import { badRequest, isServiceUnavailable, isTimeout, status, unauthorized, unavailable, type Result, type Status } from '../../../base/status.ts';
import { DEFAULT_STREAM_WINDOW, type StreamOpen } from '../../../bus/catalogue/streams.ts';
import { authenticateRequest } from './auth.ts';
import { authorizeResource, connectVerb, impersonate } from './authorize.ts';
import type { FrontContext } from './context.ts';
import { pathNotFound } from './respond.ts';
import { parseRoute } from './route.ts';
import { bridgeWebSocket, EXEC_PROTOCOL, messageBytes, type RawMessage } from './stream-ws.ts';
import { servePortForward, type ByteTransport } from './portforward.ts';
import { auditAttributes, auditUpgrade } from './audit.ts';

/** The streaming subresources of pods. */
export const STREAM_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

const PORTFORWARD_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

type OpenPort = {
  request(to: string, type: 'kubelet.stream-open', payload: StreamOpen, opts?: { timeoutMs?: number }): Promise<Result<{ id: string; window: number }>>;
};

interface PodLike {
  metadata?: { uid?: string };
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] };
}

/** Makes the front's `upgrade` handler. */
export function streamUpgrades(ctx: FrontContext, token: string): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(EXEC_PROTOCOL) ? EXEC_PROTOCOL : offered.has(PORTFORWARD_PROTOCOL) ? PORTFORWARD_PROTOCOL : false),
  });
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    serve(ctx, wss, token, req, socket, head).catch((err: unknown) => {
      ctx.log.error('stream upgrade failed', { path: req.url?.split('?')[0], err });
      refuse(socket, status(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`));
    });
  };
}

async function serve(ctx: FrontContext, wss: WebSocketServer, token: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return refuse(socket, badRequest('the request target is not a valid URL path'));
  }
  const route = parseRoute(url.pathname);
  if (route.type !== 'resource' || route.group !== '' || route.resource !== 'pods' || !route.namespace || !route.name || !STREAM_SUBRESOURCES.has(route.subresource ?? '')) {
    return refuse(socket, pathNotFound());
  }
  const caller = await authenticateRequest(ctx, req, token);
  const record = auditUpgrade(ctx.audit, req, socket, auditAttributes(req, route, url, caller ?? { username: '', groups: [] }));
  if (!caller) return refuse(socket, unauthorized());
  const acting = await impersonate(ctx, req, caller);
  if (!acting.ok) return refuse(socket, acting.status);
  if (acting.value !== caller) record?.impersonated(acting.value);
  const kind = route.subresource as StreamOpen['kind'];
  const denied = await authorizeResource(ctx, acting.value, { verb: connectVerb(req.method), group: '', resource: 'pods', subresource: kind, namespace: route.namespace, name: route.name });
  if (denied) return refuse(socket, denied);
  const q = url.searchParams;
  // Authorized for the subresource: the pod is read by the front itself (as kube-apiserver reads it to find the kubelet).
  const got = await ctx.port.request(ctx.apiserver, 'api.get', { target: { group: '', version: 'v1', resource: 'pods', namespace: route.namespace, name: route.name } }, { timeoutMs: ctx.requestTimeoutMs });
  if (!got.ok) return refuse(socket, got.status);
  const pod = got.value as PodLike;
  const flags = { stdin: isSet(q, 'stdin'), stdout: isSet(q, 'stdout'), stderr: isSet(q, 'stderr'), tty: isSet(q, 'tty') };
  const open: StreamOpen = { id: `stream-${ctx.watches.newId(route.name)}`, kind, namespace: route.namespace, pod: route.name, container: '', ...flags, window: DEFAULT_STREAM_WINDOW };
  if (pod.metadata?.uid) open.uid = pod.metadata.uid;
  if (kind !== 'portforward') {
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name)];
    const container = q.get('container') || (names.length === 1 ? names[0]! : '');
    if (!container) return refuse(socket, badRequest(`a container name must be specified for pod ${route.name}, choose one of: [${names.join(' ')}]`));
    if (!all.includes(container)) return refuse(socket, badRequest(`container ${container} is not valid for pod ${route.name}`));
    open.container = container;
    if (kind === 'exec') {
      open.command = q.getAll('command');
      if (open.command.length === 0) return refuse(socket, badRequest('you must specify at least one command for the container'));
    }
    if (!flags.stdin && !flags.stdout && !flags.stderr) return refuse(socket, badRequest('you must specify at least 1 of stdin, stdout, stderr'));
  }
  const node = pod.spec?.nodeName;
  if (!node) return refuse(socket, badRequest(`pod ${route.name} does not have a host assigned`));
  const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  // The SPDY path (kubectl's fallback) only ever gets the same refusal the WebSocket one would.
  if (kind !== 'portforward' && (!websocket || !offered.includes(EXEC_PROTOCOL))) {
    return refuse(socket, badRequest(`only WebSocket with the ${EXEC_PROTOCOL} subprotocol is served for pods/${kind}`));
  }
  const spdy = !websocket && (req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1';
  if (kind === 'portforward' && (websocket ? !offered.includes(PORTFORWARD_PROTOCOL) : !spdy)) {
    return refuse(socket, badRequest(`pods/portforward is served over SPDY/3.1, or tunnelled in WebSocket with the ${PORTFORWARD_PROTOCOL} subprotocol`));
  }

  const kubelet = `kubelet.${node}`;
  // Data may overtake the open's reply on the bus: it waits here until the socket is up.
  const early: Envelope[] = [];
  ctx.streams.set(open.id, (env) => early.push(env));
  const opened = await (ctx.port as unknown as OpenPort).request(kubelet, 'kubelet.stream-open', open, { timeoutMs: ctx.requestTimeoutMs });
  if (!opened.ok) {
    ctx.streams.delete(open.id);
    const s = opened.status;
    if (isServiceUnavailable(s)) return refuse(socket, unavailable(`no kubelet answers for node "${node}": ${s.message}`));
    return refuse(socket, isTimeout(s) ? status(500, 'InternalError', `Internal error occurred: the kubelet of node "${node}" did not answer in time`) : s);
  }
  if (kind === 'portforward') {
    // That open only asked whether the runtime forwards at all; each connection opens its own session.
    ctx.streams.delete(open.id);
    const { id: _id, window: _w, ...base } = open;
    if (websocket) return wss.handleUpgrade(req, socket, head, (ws) => servePortForward(ctx, wsTransport(ws), base, kubelet));
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    return servePortForward(ctx, socketTransport(socket), base, kubelet);
  }
  if (socket.destroyed) {
    ctx.streams.delete(open.id);
    (ctx.port as unknown as { send(to: string, type: string, p: unknown): void }).send(kubelet, 'kubelet.stream-cancel', { id: open.id });
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => bridgeWebSocket(ctx, ws, { id: open.id, kubelet, window: opened.value.window, early }));
}

function wsTransport(ws: WebSocket): ByteTransport {
  return {
    write: (bytes, done) => ws.send(bytes, { binary: true }, done),
    onData: (l) => ws.on('message', (raw: RawMessage) => l(messageBytes(raw))),
    onClose: (l) => ws.on('close', l),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(1000),
  };
}

function socketTransport(socket: Duplex): ByteTransport {
  return {
    write: (bytes, done) => void socket.write(bytes, done),
    onData: (l) => socket.on('data', l),
    onClose: (l) => socket.on('close', l),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close: () => socket.end(),
  };
}

const isSet = (q: URLSearchParams, key: string): boolean => q.get(key) === 'true' || q.get(key) === '1';

/** Answers an upgrade request that is refused with a Status, as an HTTP response on the raw socket. */
function refuse(socket: Duplex, st: Status): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(st);
  socket.end(
    `HTTP/1.1 ${st.code} ${STATUS_CODES[st.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${body}`,
  );
}
