/**
 * User-space forwarding on this host's loopback, shared by kube-proxy (ClusterIPs and
 * NodePorts to endpoints) and the local cloud provider's load balancers (EXTERNAL-IPs to
 * NodePorts): a TCP listener that splices each accepted connection to an upstream, and a
 * UDP listener that keeps one upstream socket per client flow. The policy is asked at each
 * new connection or flow, so a change of upstreams needs no new listener and connections
 * already open finish where they are.
 *
 * The TCP data path is the cost of every proxied request: the accepted socket is not read
 * until its upstream is connected, and then the pair goes to a relay (relay.ts; natively, off
 * the event loop, where the addon is built).
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { defaultRelay, type Relay } from './relay.ts';

export interface Upstream {
  host: string;
  port: number;
}

/** Where new connections go. */
export interface ForwardPolicy {
  /** Whether a client at `address` may come in at all (default: every client). */
  admit?(address: string): boolean;
  /**
   * The upstream of a new connection or flow from `address`, after `tried` upstreams refused
   * it; undefined cuts the client off (TCP: a reset).
   */
  pick(address: string, tried: number): Upstream | undefined;
}

/** An open listener; `close` stops accepting, connections in flight finish. */
export interface Listener {
  close(): void;
  /**
   * Forgets the flows whose upstream `keep` rejects, so a client's next datagram picks again,
   * as kube-proxy deletes the conntrack entries of UDP endpoints that stopped serving. TCP
   * connections are never cut: they drain.
   */
  retainUpstreams(keep: (to: Upstream) => boolean): void;
}

/** How long an upstream gets to accept a forwarded TCP connection before the next is tried. */
const CONNECT_TIMEOUT_MS = 2000;
/** A UDP flow without traffic for this long is forgotten (conntrack's UDP timeout is 30 s). */
export const UDP_IDLE_MS = 30_000;

/** The client's IPv4 address as a dotted quad (a dual-stack socket reports it v4-mapped). */
export const clientAddress = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/, '');

const ignore = (): void => {};

/** A TCP listener whose connections go where `policy` says, their bytes moved by `relay`. */
export function listenTcp(ip: string, port: number, policy: ForwardPolicy, relay: Relay = defaultRelay): Promise<Listener> {
  // Half-open on both sides, so a client that shuts down its sending side still gets the
  // answer; no Nagle delay on either side, as a kernel NAT adds none.
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => {
    const from = clientAddress(client.remoteAddress);
    if (policy.admit && !policy.admit(from)) return void client.resetAndDestroy();
    client.on('error', ignore);
    forwardTcp(policy, relay, from, client, 0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port }, () => {
      server.off('error', reject);
      server.on('error', () => { /* accept errors end one connection, not the listener */ });
      resolve({ close: () => server.close(), retainUpstreams: ignore });
    });
  });
}

function forwardTcp(policy: ForwardPolicy, relay: Relay, from: string, client: Socket, tried: number): void {
  if (client.destroyed) return;
  const to = policy.pick(from, tried);
  if (to === undefined) return void client.resetAndDestroy();
  const upstream = connect({ host: to.host, port: to.port, allowHalfOpen: true, noDelay: true });
  upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error('connect timeout')));
  upstream.once('error', () => forwardTcp(policy, relay, from, client, tried + 1));
  upstream.once('connect', () => {
    upstream.setTimeout(0);
    upstream.removeAllListeners('error');
    upstream.removeAllListeners('timeout');
    client.removeListener('error', ignore);
    relay.relay(client, upstream);
  });
}

interface Flow {
  socket: UdpSocket;
  to: Upstream;
  connected: boolean;
  /** Datagrams that arrived before the flow's socket connected. */
  waiting: Buffer[];
  /** When the client last sent (the listener's `now`). */
  seen: number;
}

/** How often forgotten flows' sockets are closed (idleness itself is judged at each datagram). */
const SWEEP_MS = 5000;

/**
 * A UDP listener with one upstream socket per client flow (address:port), as conntrack keeps
 * one entry per flow: a flow stays with its upstream until UDP_IDLE_MS pass without a
 * datagram from the client (by `now`, so a virtual clock decides it in specs) or until
 * `retainUpstreams` drops its upstream.
 */
export function listenUdp(ip: string, port: number, policy: ForwardPolicy, now: () => number = Date.now): Promise<Listener> {
  const flows = new Map<string, Flow>();
  const socket = createSocket('udp4');
  let sweep: NodeJS.Timeout | undefined;
  const drop = (id: string, f: Flow): void => {
    flows.delete(id);
    f.socket.close();
    if (flows.size === 0 && sweep) {
      clearInterval(sweep);
      sweep = undefined;
    }
  };
  const expired = (f: Flow, t: number): boolean => t - f.seen >= UDP_IDLE_MS;
  const flowOf = (from: RemoteInfo, id: string, t: number): Flow | undefined => {
    const known = flows.get(id);
    if (known && !expired(known, t)) return known;
    if (known) drop(id, known);
    const to = policy.pick(from.address, 0);
    if (to === undefined) return undefined;
    const f: Flow = { socket: createSocket('udp4'), to, connected: false, waiting: [], seen: t };
    f.socket.on('message', (msg) => socket.send(msg, from.port, from.address));
    f.socket.on('error', () => { /* an ICMP refusal ends nothing: the flow times out */ });
    // A fresh socket connects asynchronously; what arrives meanwhile waits for it.
    f.socket.connect(to.port, to.host, () => {
      f.connected = true;
      for (const m of f.waiting.splice(0)) f.socket.send(m);
    });
    flows.set(id, f);
    sweep ??= setInterval(() => {
      const t = now();
      for (const [id, f] of flows) if (expired(f, t)) drop(id, f);
    }, SWEEP_MS).unref();
    return f;
  };
  socket.on('message', (msg, from) => {
    if (policy.admit && !policy.admit(from.address)) return;
    const t = now();
    const id = `${from.address}:${from.port}`;
    const f = flowOf(from, id, t);
    if (!f) return;
    f.seen = t;
    if (f.connected) f.socket.send(msg);
    else f.waiting.push(msg);
  });
  const listener: Listener = {
    close() {
      socket.close();
      for (const [id, f] of flows) drop(id, f);
    },
    retainUpstreams(keep) {
      for (const [id, f] of flows) if (!keep(f.to)) drop(id, f);
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: ip, port }, () => {
      socket.off('error', reject);
      socket.on('error', () => { /* one bad datagram does not end the listener */ });
      resolve(listener);
    });
  });
}
