/**
 * NodeInfo (framework.NodeInfo): one node with the pods on it and the running totals the
 * filters need, kept up to date pod by pod so no filter ever sums a node's pods.
 */
import type { Container, Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { addResources, emptyResources, nodeAllocatable, podRequests, type Resources } from './resources.ts';

/** One host port a pod asks for; ip defaults to 0.0.0.0 and protocol to TCP. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod with what the scheduler derives from it, computed once when it is added. */
export interface PodInfo {
  readonly key: string;
  /** The latest version; replaced in place by a new version with the same accounting (sameAccounting). */
  pod: Pod;
  readonly requests: Resources;
  /** Requests with missing cpu/memory filled by the scoring defaults (100m, 200Mi). */
  readonly nonZero: Resources;
  readonly hostPorts: readonly HostPort[];
  /** Any pod (anti-)affinity, required or preferred. */
  readonly hasAffinity: boolean;
  readonly hasRequiredAntiAffinity: boolean;
}

export interface NodeInfo {
  readonly name: string;
  /** Undefined while pods name a node the snapshot has not seen yet. */
  node: Node | undefined;
  readonly pods: Map<string, PodInfo>;
  readonly requested: Resources;
  readonly nonZeroRequested: Resources;
  allocatable: Resources;
  /** "protocol/port" → ip → how many pods use it. */
  readonly usedPorts: Map<string, Map<string, number>>;
  /** Image name → size in bytes, from status.images (every name of every image). */
  images: Map<string, number>;
  /** images.size, on the NodeInfo (see numPods): most nodes of a big cluster list no image. */
  numImages: number;
  /**
   * The node's labels (empty while it is unknown), on the NodeInfo: topology spreading reads a
   * label of every feasible node, and node → metadata → labels were three misses of the CPU's
   * cache per node where this is one (at 5,000 nodes PodTopologySpread's pre-score took 0.3 µs a
   * node against 0.12 at 2,000: the nodes no longer stay in the cache between visits).
   */
  labels: Readonly<Record<string, string>>;
  /** Pods with any pod (anti-)affinity: InterPodAffinity only looks at these. */
  readonly podsWithAffinity: Set<PodInfo>;
  readonly podsWithRequiredAntiAffinity: Set<PodInfo>;
  /** spec.unschedulable (cordoned); false while the node is unknown. */
  unschedulable: boolean;
  /** The node's NoSchedule and NoExecute taints, in order (what TaintToleration filters on). */
  hardTaints: readonly Taint[];
  /** The node's PreferNoSchedule taints, in order (what TaintToleration scores). */
  preferTaints: readonly Taint[];
  /**
   * Copies of the numbers NodeResourcesFit and the resource scorers read, on the NodeInfo
   * itself: a cycle visits hundreds of nodes, and one object per node stays in the CPU's
   * cache where five (the pod map, three Resources) do not. Kept by syncNumbers.
   */
  numPods: number;
  allowedPods: number;
  allocMilliCPU: number;
  allocMemory: number;
  allocEphemeralStorage: number;
  reqMilliCPU: number;
  reqMemory: number;
  reqEphemeralStorage: number;
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
  /** Bumped whenever a pod is added or removed: per-node caches key on it. */
  generation: number;
  /** Plugins' per-node memo (see plugins/helpers/count-cache.ts). */
  readonly counts: Map<string, { generation: number; count: number }>;
}

/** The key a pod is known by: its uid, or namespace/name before the apiserver stamped one. */
export function podKey(pod: Pod): string {
  return pod.metadata?.uid ?? `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

function requestsCpuAndMemory(cs: readonly Container[] | undefined): boolean {
  if (cs) for (const c of cs) if (c.resources?.requests?.cpu === undefined || c.resources.requests.memory === undefined) return false;
  return true;
}

/** Whether podRequests(pod, true) equals podRequests(pod): no container leaves cpu or memory to the scoring defaults. */
const everyContainerRequestsCpuAndMemory = (pod: Pod): boolean => requestsCpuAndMemory(pod.spec?.containers) && requestsCpuAndMemory(pod.spec?.initContainers);

export function newPodInfo(pod: Pod): PodInfo {
  const requests = podRequests(pod);
  const a = pod.spec?.affinity;
  const hasRequiredAnti = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  const hasAffinity = a !== undefined && (a.podAffinity !== undefined || a.podAntiAffinity !== undefined);
  return {
    key: podKey(pod),
    pod,
    requests,
    // The same numbers when every container asks for cpu and memory (the common case): one object for both.
    nonZero: everyContainerRequestsCpuAndMemory(pod) ? requests : podRequests(pod, true),
    hostPorts: hostPortsOf(pod),
    hasAffinity,
    hasRequiredAntiAffinity: hasRequiredAnti,
  };
}

const sameLabels = (a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean => {
  if (a === b) return true;
  if (!a || !b) return false;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  return n === Object.keys(b).length;
};

/**
 * Whether a new version of an accounted pod leaves everything derived from it as it was:
 * requests and host ports (the same containers, init containers and overhead — by
 * reference, so an in-place resize, which writes new ones, is recomputed), pod
 * (anti-)affinity, and what the plugins' per-node counts read (labels, the deletion mark).
 * The watch's confirmation of an assumed bind is such a version: the apiserver's binding
 * keeps the pod's containers.
 */
export function sameAccounting(a: Pod, b: Pod): boolean {
  const x = a.spec;
  const y = b.spec;
  return x !== undefined && y !== undefined && x.nodeName === y.nodeName && x.containers === y.containers && x.initContainers === y.initContainers
    && x.overhead === y.overhead && x.affinity === y.affinity && a.metadata?.deletionTimestamp === b.metadata?.deletionTimestamp
    && a.metadata?.namespace === b.metadata?.namespace && sameLabels(a.metadata?.labels, b.metadata?.labels);
}

export function newNodeInfo(name: string, node?: Node): NodeInfo {
  // What the filters and scorers read of every node visited comes first, in the order they
  // read it: the object's first cache lines then hold all of it (a cycle visits hundreds of
  // nodes, and the first touch of each is a miss).
  const ni: NodeInfo = {
    node: undefined,
    unschedulable: false,
    hardTaints: NO_TAINTS,
    numPods: 0,
    allowedPods: 0,
    allocMilliCPU: 0,
    reqMilliCPU: 0,
    allocMemory: 0,
    reqMemory: 0,
    allocEphemeralStorage: 0,
    reqEphemeralStorage: 0,
    nonZeroMilliCPU: 0,
    nonZeroMemory: 0,
    preferTaints: NO_TAINTS,
    numImages: 0,
    labels: NO_LABELS,
    name,
    pods: new Map(),
    requested: emptyResources(),
    nonZeroRequested: emptyResources(),
    allocatable: node ? nodeAllocatable(node) : emptyResources(),
    usedPorts: new Map(),
    images: node ? imagesOf(node) : new Map(),
    podsWithAffinity: new Set(),
    podsWithRequiredAntiAffinity: new Set(),
    generation: 0,
    counts: new Map(),
  };
  setNode(ni, node);
  return ni;
}

/** Refreshes the NodeInfo's copies of its pod count, allocatable and requested numbers. */
export function syncNumbers(ni: NodeInfo): void {
  ni.numPods = ni.pods.size;
  ni.allowedPods = ni.allocatable.allowedPods;
  ni.allocMilliCPU = ni.allocatable.milliCPU;
  ni.allocMemory = ni.allocatable.memory;
  ni.allocEphemeralStorage = ni.allocatable.ephemeralStorage;
  ni.reqMilliCPU = ni.requested.milliCPU;
  ni.reqMemory = ni.requested.memory;
  ni.reqEphemeralStorage = ni.requested.ephemeralStorage;
  ni.nonZeroMilliCPU = ni.nonZeroRequested.milliCPU;
  ni.nonZeroMemory = ni.nonZeroRequested.memory;
}

const NO_TAINTS: readonly Taint[] = [];
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Sets (or clears) the node object and what the filters read from it, worked out once per
 * node update instead of once per node visited (precomputed feasibility). Set `images` and
 * `allocatable` first.
 */
export function setNode(ni: NodeInfo, node: Node | undefined): void {
  ni.node = node;
  ni.labels = node?.metadata?.labels ?? NO_LABELS;
  ni.unschedulable = node?.spec?.unschedulable === true;
  const taints = node?.spec?.taints ?? NO_TAINTS;
  ni.hardTaints = taints.length === 0 ? NO_TAINTS : taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  ni.preferTaints = taints.length === 0 ? NO_TAINTS : taints.filter((t) => t.effect === 'PreferNoSchedule');
  ni.numImages = ni.images.size;
  syncNumbers(ni);
}

export function imagesOf(node: Node): Map<string, number> {
  const out = new Map<string, number>();
  for (const img of node.status?.images ?? []) for (const name of img.names ?? []) out.set(name, img.sizeBytes ?? 0);
  return out;
}

/** Accounts a pod on the node. The caller guarantees it is not already there. */
export function addPodToNode(ni: NodeInfo, pi: PodInfo): void {
  ni.generation++;
  ni.pods.set(pi.key, pi);
  addResources(ni.requested, pi.requests);
  addResources(ni.nonZeroRequested, pi.nonZero);
  for (const hp of pi.hostPorts) {
    const k = `${hp.protocol}/${hp.port}`;
    let ips = ni.usedPorts.get(k);
    if (!ips) ni.usedPorts.set(k, (ips = new Map()));
    ips.set(hp.ip, (ips.get(hp.ip) ?? 0) + 1);
  }
  if (pi.hasAffinity) ni.podsWithAffinity.add(pi);
  if (pi.hasRequiredAntiAffinity) ni.podsWithRequiredAntiAffinity.add(pi);
  syncNumbers(ni);
}

/** Undoes addPodToNode for the pod stored under `key`; false when it was not there. */
export function removePodFromNode(ni: NodeInfo, key: string): boolean {
  const pi = ni.pods.get(key);
  if (!pi) return false;
  ni.generation++;
  ni.pods.delete(key);
  addResources(ni.requested, pi.requests, -1);
  addResources(ni.nonZeroRequested, pi.nonZero, -1);
  for (const hp of pi.hostPorts) {
    const k = `${hp.protocol}/${hp.port}`;
    const ips = ni.usedPorts.get(k);
    const n = (ips?.get(hp.ip) ?? 0) - 1;
    if (n > 0) ips?.set(hp.ip, n);
    else ips?.delete(hp.ip);
    if (ips && ips.size === 0) ni.usedPorts.delete(k);
  }
  ni.podsWithAffinity.delete(pi);
  ni.podsWithRequiredAntiAffinity.delete(pi);
  syncNumbers(ni);
  return true;
}

/** HostPortInfo.CheckConflict: 0.0.0.0 clashes with every address on the same protocol/port. */
export function portConflicts(ni: NodeInfo, hp: HostPort): boolean {
  const ips = ni.usedPorts.get(`${hp.protocol}/${hp.port}`);
  if (!ips || ips.size === 0) return false;
  if (hp.ip === '0.0.0.0') return true;
  return ips.has(hp.ip) || ips.has('0.0.0.0');
}
