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
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Bus } from '../bus/bus.ts';
import type { Logger } from './actor-def.ts';
import { type Clock } from '../base/clock.ts';
import { realClock } from '../base/real-clock.ts';
import { ActorHost } from './host.ts';
import { kubeletActor, kubeletAddress, type KubeletHandle } from './kubelet/actor.ts';
import type { KubeletOptions } from './kubelet/config.ts';
import { ApiClient, isServiceUnavailable, isTimeout, targets } from './client/index.ts';
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
  o.beforeStart?.(host);
  const stop = async () => {
    for (const name of o.names) if (host.get(kubeletAddress(name))) stopKubelet(host, name);
    host.stopAll();
    await o.bus.close();
  };
  try {
    const existing = await listNodes(o.bus, kubeletAddress(first), deadline, o.signal);
    const pool = new NodeAddressPool(o.clusterCIDR, o.nodeMaskBits, o.nodeRange);
    pool.seed(existing);
    for (const name of o.names) addresses.set(name, pool.forNode(name));
    for (const name of o.names) {
      const a = addresses.get(name)!;
      const runtimes = nodeRuntimes(name, {
        sim: runtime, clock, ...(o.defaultRuntime ? { defaultRuntime: o.defaultRuntime } : {}),
        ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.images ? { images: o.images } : {}), ...(o.runtimeLog ? { log: o.runtimeLog } : {}),
      });
      host.spawn(kubeletActor({ nodeName: name, ...runtimes, hostIP: a.hostIP, podCIDR: a.podCIDR, ...o.configure?.(name) }, (h) => handles.set(name, h)));
      if (o.proxy) startKubeProxy(host, { nodeName: name, nodeIP: a.hostIP });
    }
    // On NATS a registration reaches the server asynchronously: the apiserver's first watch
    // event to a kubelet must not meet "no responders".
    await flush(o.bus);
    await untilRegistered(host, o.names, deadline, o.signal);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, names: [...o.names], addresses, handle: (name) => handles.get(name), stop };
}

/**
 * Lists the cluster's Nodes through a short-lived port at `address`. Retries until
 * `deadline` while the apiserver is unreachable (503/504: the control plane may start
 * after the nodes); any other error is final.
 */
async function listNodes(bus: Bus, address: string, deadline: number, signal: AbortSignal | undefined): Promise<Node[]> {
  const port = bus.register(address, () => {});
  try {
    await flush(bus);
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      const r = await new ApiClient(port, { timeoutMs: 5000 }).list(targets.nodes());
      if (r.ok) return r.value.items ?? [];
      const retriable = isServiceUnavailable(r) || isTimeout(r);
      if (!retriable || Date.now() + delay > deadline) throw new Error(`listing the cluster's nodes: ${r.status.message}`);
      if (signal?.aborted) throw new Error('node start-up aborted');
      await new Promise((res) => setTimeout(res, delay));
    }
  } finally {
    port.close();
  }
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
