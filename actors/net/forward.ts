/**
 * User-space forwarding on this host's loopback, shared by kube-proxy (ClusterIPs and
 * NodePorts to endpoints) and the local cloud provider's load balancers (EXTERNAL-IPs to
 * NodePorts): a TCP listener that splices each accepted connection to an upstream, and a
 * UDP listener that keeps one upstream socket per client flow. The policy is asked at each
 * new connection or flow, so a change of upstreams needs no new listener and connections
 * already open finish where they are.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';

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
}

/** How long an upstream gets to accept a forwarded TCP connection before the next is tried. */
const CONNECT_TIMEOUT_MS = 2000;
/** A UDP flow without traffic for this long is forgotten (conntrack's UDP timeout is 30 s). */
const UDP_IDLE_MS = 30_000;

/** The client's IPv4 address as a dotted quad (a dual-stack socket reports it v4-mapped). */
export const clientAddress = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/, '');

export function listenTcp(ip: string, port: number, policy: ForwardPolicy): Promise<Listener> {
  const server: Server = createServer((client) => {
    const from = clientAddress(client.remoteAddress);
    if (policy.admit && !policy.admit(from)) return void client.resetAndDestroy();
    client.pause();
    client.on('error', () => { /* a client's reset ends its connection only */ });
    forwardTcp(policy, from, client, 0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port }, () => {
      server.off('error', reject);
      server.on('error', () => { /* accept errors end one connection, not the listener */ });
      resolve({ close: () => server.close() });
    });
  });
}

function forwardTcp(policy: ForwardPolicy, from: string, client: Socket, tried: number): void {
  if (client.destroyed) return;
  const to = policy.pick(from, tried);
  if (to === undefined) return void client.resetAndDestroy();
  const upstream = connect({ host: to.host, port: to.port });
  upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error('connect timeout')));
  upstream.once('error', () => forwardTcp(policy, from, client, tried + 1));
  upstream.once('connect', () => {
    upstream.setTimeout(0);
    upstream.removeAllListeners('error');
    // A reset on one side resets the other, as a NATed connection would see it.
    upstream.on('error', () => client.resetAndDestroy());
    client.on('error', () => upstream.resetAndDestroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
}

interface Flow {
  socket: UdpSocket;
  connected: boolean;
  /** Datagrams that arrived before the flow's socket connected. */
  waiting: Buffer[];
  idle?: NodeJS.Timeout;
}

export function listenUdp(ip: string, port: number, policy: ForwardPolicy): Promise<Listener> {
  const flows = new Map<string, Flow>();
  const socket = createSocket('udp4');
  const close = () => {
    socket.close();
    for (const f of flows.values()) {
      clearTimeout(f.idle);
      f.socket.close();
    }
    flows.clear();
  };
  const flowOf = (from: RemoteInfo, id: string): Flow | undefined => {
    const known = flows.get(id);
    if (known) return known;
    const to = policy.pick(from.address, 0);
    if (to === undefined) return undefined;
    const f: Flow = { socket: createSocket('udp4'), connected: false, waiting: [] };
    f.socket.on('message', (msg) => socket.send(msg, from.port, from.address));
    f.socket.on('error', () => { /* an ICMP refusal ends nothing: the flow times out */ });
    // A fresh socket connects asynchronously; what arrives meanwhile waits for it.
    f.socket.connect(to.port, to.host, () => {
      f.connected = true;
      for (const m of f.waiting.splice(0)) f.socket.send(m);
    });
    flows.set(id, f);
    return f;
  };
  socket.on('message', (msg, from) => {
    if (policy.admit && !policy.admit(from.address)) return;
    const id = `${from.address}:${from.port}`;
    const f = flowOf(from, id);
    if (!f) return;
    clearTimeout(f.idle);
    f.idle = setTimeout(() => {
      flows.delete(id);
      f.socket.close();
    }, UDP_IDLE_MS);
    f.idle.unref();
    if (f.connected) f.socket.send(msg);
    else f.waiting.push(msg);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: ip, port }, () => {
      socket.off('error', reject);
      socket.on('error', () => { /* one bad datagram does not end the listener */ });
      resolve({ close });
    });
  });
}
