/**
 * The local provider's load balancers, as k3s's servicelb or MetalLB in layer-2 mode give
 * them: for each LoadBalancer Service, listeners on its EXTERNAL-IP at the Service's ports
 * that forward each connection (TCP) or client flow (UDP) to a node's InternalIP at the
 * port's nodePort, where kube-proxy takes over. Nodes are taken in turn; one that refuses is
 * skipped for the next, as a cloud balancer's health check would. `loadBalancerSourceRanges`
 * (or the service.beta.kubernetes.io/load-balancer-source-ranges annotation) is enforced at
 * accept: other clients are cut off at once.
 *
 * The backends are read at each new connection, so a node that joins, leaves or (with
 * externalTrafficPolicy Local) loses its last ready endpoint changes where the next
 * connection goes without touching the listeners; existing connections finish.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { parseCidr, parseIp, type Cidr } from '../../../api/ipv4.ts';

/** One listener: a Service port and the nodePort it forwards to. */
export interface BalancedPort {
  protocol: 'TCP' | 'UDP';
  port: number;
  nodePort: number;
}

export interface BalancerSpec {
  ip: string;
  ports: readonly BalancedPort[];
  /** Client ranges allowed in (empty: everyone). */
  sourceRanges: readonly string[];
  /** The node IPs that may take a new connection now, in no particular order. */
  backends(): readonly string[];
}

/** How long a backend gets to accept a forwarded TCP connection before the next is tried. */
const CONNECT_TIMEOUT_MS = 2000;
/** A UDP flow without traffic for this long is forgotten (conntrack's UDP timeout is 30 s). */
const UDP_IDLE_MS = 30_000;

interface Listener {
  key: string;
  close(): void;
}

interface Balancer {
  spec: BalancerSpec;
  /** Read at each accept: a change of source ranges needs no new listener. */
  ranges: Cidr[];
  listeners: Map<string, Listener>;
  next: number;
}

const listenerKey = (ip: string, p: BalancedPort): string => `${ip}:${p.protocol}/${p.port}->${p.nodePort}`;

function inRanges(ranges: readonly Cidr[], address: string): boolean {
  if (ranges.length === 0) return true;
  const ip = parseIp(address.replace(/^::ffff:/, ''));
  return ip !== null && ranges.some((r) => ip >= r.base && ip < r.base + r.size);
}

/** The load balancers of one cloud-service controller, by Service key. */
export class LoadBalancers {
  readonly #byService = new Map<string, Balancer>();

  /**
   * Makes the Service's listeners match `spec` (opening new ports, closing dropped ones).
   * Resolves to the failures, one message per port that could not listen (empty when all do).
   */
  async ensure(key: string, spec: BalancerSpec): Promise<string[]> {
    const b = this.#byService.get(key) ?? { spec, ranges: [], listeners: new Map<string, Listener>(), next: 0 };
    b.spec = spec;
    b.ranges = spec.sourceRanges.map((r) => parseCidr(r.trim()));
    this.#byService.set(key, b);
    const wanted = new Map(spec.ports.map((p) => [listenerKey(spec.ip, p), p]));
    for (const [k, l] of b.listeners) {
      if (!wanted.has(k)) {
        l.close();
        b.listeners.delete(k);
      }
    }
    const failures: string[] = [];
    for (const [k, p] of wanted) {
      if (b.listeners.has(k)) continue;
      try {
        b.listeners.set(k, p.protocol === 'UDP' ? await listenUdp(k, b, p) : await listenTcp(k, b, p));
      } catch (err) {
        failures.push(`listen ${p.protocol} ${spec.ip}:${p.port}: ${(err as Error).message}`);
      }
    }
    return failures;
  }

  /** Closes the Service's listeners; connections in flight finish. */
  remove(key: string): void {
    const b = this.#byService.get(key);
    if (!b) return;
    for (const l of b.listeners.values()) l.close();
    this.#byService.delete(key);
  }

  /** The EXTERNAL-IP:port listeners open now (for status and specs). */
  listening(key: string): string[] {
    return [...(this.#byService.get(key)?.listeners.keys() ?? [])];
  }

  close(): void {
    for (const key of [...this.#byService.keys()]) this.remove(key);
  }
}

/** The next backend in turn after `skip` tries, or undefined when there is none. */
function pick(b: Balancer, tried: number): string | undefined {
  const nodes = b.spec.backends();
  if (nodes.length === 0 || tried >= nodes.length) return undefined;
  return nodes[b.next++ % nodes.length];
}

function listenTcp(key: string, b: Balancer, p: BalancedPort): Promise<Listener> {
  const listener: Listener = { key, close: () => server.close() };
  const server: Server = createServer((client) => {
    if (!inRanges(b.ranges, client.remoteAddress ?? '')) return client.destroy();
    client.pause();
    forwardTcp(b, p, client, 0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: b.spec.ip, port: p.port }, () => {
      server.off('error', reject);
      server.on('error', () => { /* accept errors end one connection, not the balancer */ });
      resolve(listener);
    });
  });
}

function forwardTcp(b: Balancer, p: BalancedPort, client: Socket, tried: number): void {
  const node = pick(b, tried);
  if (node === undefined || client.destroyed) return void client.destroy();
  const upstream = connect({ host: node, port: p.nodePort });
  upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error('connect timeout')));
  upstream.once('error', () => forwardTcp(b, p, client, tried + 1));
  upstream.once('connect', () => {
    upstream.setTimeout(0);
    upstream.removeAllListeners('error');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
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

function listenUdp(key: string, b: Balancer, p: BalancedPort): Promise<Listener> {
  const flows = new Map<string, Flow>();
  const socket = createSocket('udp4');
  const listener: Listener = {
    key,
    close: () => {
      socket.close();
      for (const f of flows.values()) {
        clearTimeout(f.idle);
        f.socket.close();
      }
      flows.clear();
    },
  };
  const flowOf = (from: RemoteInfo, id: string): Flow | undefined => {
    const known = flows.get(id);
    if (known) return known;
    const node = pick(b, 0);
    if (node === undefined) return undefined;
    const f: Flow = { socket: createSocket('udp4'), connected: false, waiting: [] };
    f.socket.on('message', (msg) => socket.send(msg, from.port, from.address));
    f.socket.on('error', () => { /* an ICMP refusal ends nothing: the flow times out */ });
    // A fresh socket connects asynchronously; what arrives meanwhile waits for it.
    f.socket.connect(p.nodePort, node, () => {
      f.connected = true;
      for (const m of f.waiting.splice(0)) f.socket.send(m);
    });
    flows.set(id, f);
    return f;
  };
  socket.on('message', (msg, from) => {
    if (!inRanges(b.ranges, from.address)) return;
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
    socket.bind({ address: b.spec.ip, port: p.port }, () => {
      socket.off('error', reject);
      socket.on('error', () => { /* one bad datagram does not end the balancer */ });
      resolve(listener);
    });
  });
}
