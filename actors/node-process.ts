/**
 * The composition root of `kubeactor node`: a process that runs the kubelets (with their
 * pod actors and one shared runtime) of one or more nodes and joins a control plane that
 * runs elsewhere on the same bus (NATS in practice; the in-process bus works for specs).
 *
 * Addresses: the process lists the Nodes the apiserver already has (one read, through a
 * short-lived port at the first kubelet's own address, which its identity may claim) and
 * seeds a NodeAddressPool from them. A name that already has a Node keeps that Node's
 * InternalIP and pod range (a restarted node process adopts its Nodes unchanged); a new
 * name gets the next free pair. As in actors/kubelet/node-pool.ts, two processes that start at the same
 * moment could pick the same pair: `start` resolves only once every kubelet has registered
 * its Node, so processes started one after the other never collide.
 *
 * Cluster DNS: with `clusterDNS: 'kube-dns'` the same port reads the `kube-system/kube-dns`
 * Service and the kubelets' clusterDNS is its ClusterIP, as kubeadm writes clusterDNS from
 * that Service: the node follows whatever Service range the control plane claimed.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Bus } from '../bus/bus.ts';
import type { Logger } from './actor-def.ts';
import { type Clock } from '../base/clock.ts';
import { realClock } from '../base/real-clock.ts';
import { ActorHost } from './host.ts';
import { kubeletActor, kubeletAddress, type KubeletHandle } from './kubelet/actor.ts';
import type { KubeletOptions } from './kubelet/config.ts';
import { ApiClient, isNotFound, isServiceUnavailable, isTimeout, targets } from './client/index.ts';
import { KUBE_DNS } from './dns/publish.ts';
import { NodeAddressPool, type NodeAddresses } from './kubelet/node-pool.ts';
import { stopKubelet } from './kubelet/sim-nodes.ts';
import { startKubeProxy } from './kube-proxy/index.ts';
import type { Runtime } from './runtime/runtime.ts';
import { simRuntime } from './runtime/sim.ts';
import type { ImageCatalogue } from './runtime/images/catalogue.ts';
import { nodeRuntimes, type RuntimeName } from './kubelet/node-runtimes.ts';

/**
 * The node names of `kubeactor node --name NAME --count K`: `NAME` alone when K = 1,
 * otherwise `NAME-1` … `NAME-K`.
 */
export function nodeNames(name: string, count: number): string[] {
  if (count === 1) return [name];
  return Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
}

export interface NodeProcessOptions {
  bus: Bus;
  /** The nodes to run, one kubelet each (see `nodeNames`). */
  names: readonly string[];
  clock?: Clock;
  seed?: number;
  logger?: Logger;
  /** The sim runtime every kubelet shares (default: a sim runtime on `clock`). */
  runtime?: Runtime;
  /** The handler of pods without a runtimeClassName (default sim); every node also has the other. */
  defaultRuntime?: RuntimeName;
  /** Where process nodes keep their state (`<dataDir>/nodes/<name>`; default a temporary directory). */
  dataDir?: string;
  images?: ImageCatalogue;
  /** More of each kubelet's options (root dir, hostPath allow-list, volume refresh period), by node name. */
  configure?: (name: string) => Partial<KubeletOptions>;
  /** The process runtimes' log. */
  runtimeLog?: Logger;
  clusterCIDR?: string;
  /** Where the nodes' InternalIPs come from (default 127.0.0.0/16: 127.0.1.1, 127.0.1.2, …). */
  nodeRange?: string;
  nodeMaskBits?: number;
  /**
   * The InternalIP and pod range of each node, chosen by the caller (`up --workers` allocates
   * for every worker at once, so threads that start together never pick the same pair);
   * default: from a NodeAddressPool seeded with the Nodes the apiserver has.
   */
  addresses?: ReadonlyMap<string, NodeAddresses>;
  /**
   * The kubelets' clusterDNS (overrides `configure`'s): the nameservers given, or `'kube-dns'`
   * for the ClusterIP of the `kube-system/kube-dns` Service, read at start (waiting up to 5 s
   * for it to appear; none then: empty, so ClusterFirst pods fall back to Default with a
   * MissingClusterDNS event). Default: what `configure` says.
   */
  clusterDNS?: readonly string[] | 'kube-dns';
  /** Start each node's kube-proxy with its kubelet (actors/kube-proxy; `kubeactor node` does). */
  proxy?: boolean;
  /** How long `start` waits for the apiserver and for every kubelet to register its Node (default 30 s). */
  registerTimeoutMs?: number;
  /** Aborts the start (e.g. a signal during start-up): `start` stops what it started and rejects. */
  signal?: AbortSignal;
  /** Runs before the process's first port or actor, e.g. to attach a recorder to the bus and host. */
  beforeStart?: (host: ActorHost) => void;
}

export interface NodeProcess {
  readonly host: ActorHost;
  readonly names: readonly string[];
  /** The InternalIP and pod range each node runs with, by name. */
  readonly addresses: ReadonlyMap<string, NodeAddresses>;
  /** The clusterDNS the kubelets run with when `clusterDNS` was given (empty: no kube-dns Service was found). */
  readonly clusterDNS: readonly string[] | undefined;
  handle(name: string): KubeletHandle | undefined;
  /** Stops every kubelet (their pod actors with them; nothing is written), then closes the bus. */
  stop(): Promise<void>;
}

/** Runs one kubelet per name on `bus`; resolves once every one has registered its Node. */
export async function startNodeProcess(o: NodeProcessOptions): Promise<NodeProcess> {
  const [first] = o.names;
  if (first === undefined) throw new Error('a node process needs at least one node');
  if (new Set(o.names).size !== o.names.length) throw new Error('node names must be distinct');
  const clock = o.clock ?? realClock;
  const runtime = o.runtime ?? simRuntime(clock);
  const deadline = Date.now() + (o.registerTimeoutMs ?? 30_000);
  const host = new ActorHost({ bus: o.bus, clock, seed: o.seed ?? 1, ...(o.logger ? { logger: o.logger } : {}) });
  const handles = new Map<string, KubeletHandle>();
  const addresses = new Map<string, NodeAddresses>();
  let clusterDNS: readonly string[] | undefined;
  o.beforeStart?.(host);
  const stop = async () => {
    for (const name of o.names) if (host.get(kubeletAddress(name))) stopKubelet(host, name);
    host.stopAll();
    await o.bus.close();
  };
  try {
    const read = await readCluster(o.bus, kubeletAddress(first), deadline, o.signal, o.clusterDNS === 'kube-dns');
    const existing = read.nodes;
    clusterDNS = o.clusterDNS === 'kube-dns' ? read.clusterDNS : o.clusterDNS;
    const pool = new NodeAddressPool(o.clusterCIDR, o.nodeMaskBits, o.nodeRange);
    pool.seed(existing);
    for (const name of o.names) addresses.set(name, o.addresses?.get(name) ?? pool.forNode(name));
    for (const name of o.names) {
      const a = addresses.get(name)!;
      const { connectTable, ...runtimes } = nodeRuntimes(name, {
        sim: runtime, clock, ...(o.defaultRuntime ? { defaultRuntime: o.defaultRuntime } : {}),
        ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.images ? { images: o.images } : {}), ...(o.runtimeLog ? { log: o.runtimeLog } : {}),
      });
      host.spawn(kubeletActor({ nodeName: name, ...runtimes, hostIP: a.hostIP, podCIDR: a.podCIDR, ...o.configure?.(name), ...(clusterDNS ? { clusterDNS: [...clusterDNS] } : {}) }, (h) => handles.set(name, h)));
      if (o.proxy) startKubeProxy(host, { nodeName: name, nodeIP: a.hostIP, ...(connectTable ? { connectTable } : {}) });
    }
    // On NATS a registration reaches the server asynchronously: the apiserver's first watch
    // event to a kubelet must not meet "no responders".
    await flush(o.bus);
    await untilRegistered(host, o.names, deadline, o.signal);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, names: [...o.names], addresses, clusterDNS, handle: (name) => handles.get(name), stop };
}

/** How long a node process waits for the kube-dns Service once the apiserver answers (up publishes it as it starts). */
const KUBE_DNS_WAIT_MS = 5000;

/**
 * Lists the cluster's Nodes (and, when `dns`, reads kube-dns's ClusterIP) through a
 * short-lived port at `address`. Retries until `deadline` while the apiserver is unreachable
 * (503/504: the control plane may start after the nodes); any other error is final.
 */
async function readCluster(bus: Bus, address: string, deadline: number, signal: AbortSignal | undefined, dns: boolean): Promise<{ nodes: Node[]; clusterDNS: string[] }> {
  const port = bus.register(address, () => {});
  const api = new ApiClient(port, { timeoutMs: 5000 });
  try {
    await flush(bus);
    let nodes: Node[] | undefined;
    for (let delay = 100; nodes === undefined; delay = Math.min(delay * 2, 2000)) {
      const r = await api.list(targets.nodes());
      if (r.ok) nodes = r.value.items ?? [];
      else {
        const retriable = isServiceUnavailable(r) || isTimeout(r);
        if (!retriable || Date.now() + delay > deadline) throw new Error(`listing the cluster's nodes: ${r.status.message}`);
        await pause(delay, signal);
      }
    }
    return { nodes, clusterDNS: dns ? await kubeDnsClusterIP(api, Math.min(deadline, Date.now() + KUBE_DNS_WAIT_MS), signal) : [] };
  } finally {
    port.close();
  }
}

/** The ClusterIP of `kube-system/kube-dns`; none (empty) when it does not appear before `until`. */
async function kubeDnsClusterIP(api: ApiClient, until: number, signal: AbortSignal | undefined): Promise<string[]> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    const r = await api.get(targets.services(KUBE_DNS.namespace, KUBE_DNS.name));
    const ip = r.ok ? r.value.spec?.clusterIP : undefined;
    if (ip && ip !== 'None') return [ip];
    if (!r.ok && !(isNotFound(r) || isServiceUnavailable(r) || isTimeout(r))) throw new Error(`reading the kube-dns Service: ${r.status.message}`);
    if (Date.now() + delay > until) return [];
    await pause(delay, signal);
  }
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw new Error('node start-up aborted');
  await new Promise((res) => setTimeout(res, ms));
}

const flush = (bus: Bus): Promise<void> => (bus as Bus & { flush?: () => Promise<void> }).flush?.() ?? Promise.resolve();

/** Polls the kubelets' charts until each has left `registering` for `ready`. */
async function untilRegistered(host: ActorHost, names: readonly string[], deadline: number, signal: AbortSignal | undefined): Promise<void> {
  for (;;) {
    if (signal?.aborted) throw new Error('node start-up aborted');
    const pending = names.filter((n) => !isReady(host, n));
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`node${pending.length > 1 ? 's' : ''} ${pending.join(', ')} did not register with the apiserver in time`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function isReady(host: ActorHost, name: string): boolean {
  const value = (host.get(kubeletAddress(name))?.snapshot as { value?: unknown } | undefined)?.value;
  return typeof value === 'object' && value !== null && 'ready' in value;
}
