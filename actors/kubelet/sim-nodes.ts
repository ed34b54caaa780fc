/**
 * Starts N simulated nodes — one kubelet actor each — on an ActorHost, for
 * `kubeactor up --nodes N`, `kubeactor node --count K` and the benches. The nodes share
 * one runtime (sim by default) and get addresses from one NodeAddressPool, seeded from
 * the Nodes the apiserver already has: a name that has a Node keeps its InternalIP and pod
 * range (the kubelet adopts that Node), a new name gets the next free pair.
 *
 * Names: `startIndex` fixes them (`up --nodes N` passes 1: its nodes are node-1 … node-N
 * on every start of the same data directory, as a kubelet's name is its hostname);
 * without it a batch continues after the highest existing index, to add nodes.
 */
import type { Port } from '../../bus/bus.ts';
import type { ActorHost } from '../host.ts';
import type { Clock } from '../../base/clock.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { simRuntime } from '../runtime/sim.ts';
import { kubeletActor, kubeletAddress, type KubeletHandle } from './actor.ts';
import type { KubeletOptions } from './config.ts';
import { NodeAddressPool } from './node-pool.ts';
import { nodeRuntimes, type RuntimeName } from './node-runtimes.ts';
import type { ImageCatalogue } from '../runtime/images/catalogue.ts';
import type { Logger } from '../actor-def.ts';
import { ApiClient, targets } from '../client/index.ts';
import { kubeProxyAddress, startKubeProxy } from '../kube-proxy/index.ts';

export interface SimNodesOptions {
  host: ActorHost;
  count: number;
  /** Node names are `<namePrefix><i>` (default `node-`, i from `startIndex`, default 1 or after the highest existing one). */
  namePrefix?: string;
  startIndex?: number;
  clock: Clock;
  /** The sim runtime every node shares (default: a sim runtime on `clock`). */
  runtime?: Runtime;
  /** The handler of pods without a runtimeClassName (default sim); every node also has the other. */
  defaultRuntime?: RuntimeName;
  /** Where process nodes keep their state (`<dataDir>/nodes/<name>`; default a temporary directory). */
  dataDir?: string;
  images?: ImageCatalogue;
  log?: Logger;
  /** Default 127.244.0.0/16 with a /24 per node (256 nodes); pass e.g. 10.0.0.0/8 for more (sim pods only: process pods must bind theirs). */
  clusterCIDR?: string;
  /** Where the nodes' InternalIPs come from (default 127.0.0.0/16: 127.0.1.1, 127.0.1.2, …). */
  nodeRange?: string;
  nodeMaskBits?: number;
  /** Reused across calls to keep allocating from one pool. */
  pool?: NodeAddressPool;
  /**
   * A port to list existing Nodes with before allocating (skip it in a fresh cluster).
   * Any port works: listing is a read.
   */
  lister?: Port;
  /**
   * Start each node's kube-proxy with its kubelet (actors/kube-proxy: real listeners on the
   * node's IP and, on the owner node, the ClusterIPs). Default off: simulations of many nodes
   * carry no traffic.
   */
  proxy?: boolean;
  /** Per-node options (capacity, labels, timing, …) by name. */
  configure?: (name: string, index: number) => Partial<KubeletOptions>;
}

export interface SimNodes {
  readonly names: string[];
  readonly runtime: Runtime;
  readonly pool: NodeAddressPool;
  /** The running incarnation of each kubelet, by node name. */
  handle(name: string): KubeletHandle | undefined;
  /** Stops every kubelet of this batch (their pod actors with them); writes nothing. */
  stop(): void;
}

/** Stops one kubelet cleanly: the chart's `stopping` stops its pods, then the host removes it. */
export function stopKubelet(host: ActorHost, nodeName: string): void {
  const address = kubeletAddress(nodeName);
  host.tell(address, { type: 'kubelet.stop' });
  host.stop(address);
}

export async function startSimNodes(o: SimNodesOptions): Promise<SimNodes> {
  const prefix = o.namePrefix ?? 'node-';
  const runtime = o.runtime ?? simRuntime(o.clock);
  const pool = o.pool ?? new NodeAddressPool(o.clusterCIDR, o.nodeMaskBits, o.nodeRange);
  let start = o.startIndex ?? 1;
  if (o.lister) {
    const r = await new ApiClient(o.lister).list(targets.nodes());
    if (!r.ok) throw new Error(`listing nodes: ${r.status.message}`);
    const nodes = r.value.items ?? [];
    pool.seed(nodes);
    if (o.startIndex === undefined) {
      for (const n of nodes) {
        const name = n.metadata?.name ?? '';
        const i = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
        if (Number.isInteger(i) && i >= start) start = i + 1;
      }
    }
  }
  const handles = new Map<string, KubeletHandle>();
  const names: string[] = [];
  for (let k = 0; k < o.count; k++) {
    const index = start + k;
    const name = `${prefix}${index}`;
    const addr = pool.forNode(name);
    const { connectTable, ...runtimes } = nodeRuntimes(name, {
      sim: runtime, clock: o.clock, ...(o.defaultRuntime ? { defaultRuntime: o.defaultRuntime } : {}),
      ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.images ? { images: o.images } : {}), ...(o.log ? { log: o.log } : {}),
    });
    const opts: KubeletOptions = { nodeName: name, ...runtimes, hostIP: addr.hostIP, podCIDR: addr.podCIDR, ...o.configure?.(name, index) };
    o.host.spawn(kubeletActor(opts, (h) => handles.set(name, h)));
    if (o.proxy) startKubeProxy(o.host, { nodeName: name, nodeIP: addr.hostIP, ...(connectTable ? { connectTable } : {}) });
    names.push(name);
  }
  return {
    names,
    runtime,
    pool,
    handle: (name) => handles.get(name),
    stop() {
      for (const name of names) {
        stopKubelet(o.host, name);
        o.host.stop(kubeProxyAddress(name));
      }
    },
  };
}
