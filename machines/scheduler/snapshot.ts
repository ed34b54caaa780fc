/**
 * The scheduler's view of the cluster (the scheduler cache and its snapshot in one, since
 * this scheduler is single-threaded): NodeInfo per node, updated incrementally. Every
 * update costs O(the pod or node changed); nothing rescans the cluster.
 *
 * Pods are accounted on `spec.nodeName`. The actor adds a pod when it assumes a binding
 * (before the apiserver confirms) and again, idempotently, when the bound pod is watched.
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  addPodToNode,
  imagesOf,
  newNodeInfo,
  newPodInfo,
  podKey,
  removePodFromNode,
  sameAccounting,
  setNode,
  type NodeInfo,
  type PodInfo,
} from './node-info.ts';
import { nodeAllocatable } from './resources.ts';
import { SpreadSelectors } from './spread-selectors.ts';
import { PodLabelIndex } from './pod-label-index.ts';
import { VolumeStore } from './volumes.ts';

export class Snapshot {
  readonly #infos = new Map<string, NodeInfo>();
  readonly #list: NodeInfo[] = [];
  readonly #podNode = new Map<string, string>();
  readonly #withAffinity = new Set<NodeInfo>();
  readonly #withRequiredAnti = new Set<NodeInfo>();
  readonly #imageNodes = new Map<string, number>();
  /** Namespace labels, for pod affinity terms with a namespaceSelector. */
  readonly namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  /** Claims, volumes and StorageClasses, for VolumeBinding. */
  readonly volumes = new VolumeStore();
  /** Services and workload controllers, for PodTopologySpread's system default constraints. */
  readonly spread = new SpreadSelectors();
  /** The accounted pods by namespace and label (see pod-label-index.ts). */
  readonly podsByLabel = new PodLabelIndex();
  /** PodDisruptionBudgets by namespace/name: what preemption weighs victims against. */
  readonly pdbs = new Map<string, PodDisruptionBudget>();
  /**
   * Pods nominated to a node (status.nominatedNodeName, set when their preemption evicted
   * pods there) and not yet bound: node → pod key → pod. Filters count them on their node
   * for pods of lower priority (the queue's nominator, upstream), so the room the victims
   * leave is kept for the preemptor.
   */
  readonly #nominated = new Map<string, Map<string, Pod>>();
  readonly #nominatedNode = new Map<string, string>();

  /** Nodes that exist, in the order they were added (the order filters visit them). */
  get nodes(): readonly NodeInfo[] {
    return this.#list;
  }

  /** How many pods are accounted, on all nodes. */
  get podCount(): number {
    return this.#podNode.size;
  }

  get(nodeName: string): NodeInfo | undefined {
    const ni = this.#infos.get(nodeName);
    return ni?.node ? ni : undefined;
  }

  /** Nodes with at least one pod that has pod (anti-)affinity. */
  get nodesWithAffinityPods(): ReadonlySet<NodeInfo> {
    return this.#withAffinity;
  }

  /** Nodes with at least one pod that has required pod anti-affinity. */
  get nodesWithRequiredAntiAffinityPods(): ReadonlySet<NodeInfo> {
    return this.#withRequiredAnti;
  }

  /** Adds or replaces a node; its pods stay accounted. */
  upsertNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? '';
    let ni = this.#infos.get(name);
    if (!ni) {
      ni = newNodeInfo(name);
      this.#infos.set(name, ni);
    }
    if (!ni.node) this.#list.push(ni);
    else this.#countImages(ni, -1);
    ni.allocatable = nodeAllocatable(node);
    ni.images = imagesOf(node);
    setNode(ni, node);
    this.#countImages(ni, 1);
    return ni;
  }

  /** Removes a node. Pods still bound to it stay accounted until they are removed. */
  removeNode(name: string): void {
    const ni = this.#infos.get(name);
    if (!ni?.node) return;
    this.#countImages(ni, -1);
    ni.images = new Map();
    setNode(ni, undefined);
    const i = this.#list.indexOf(ni);
    if (i >= 0) this.#list.splice(i, 1);
    if (ni.pods.size === 0) this.#forget(ni);
  }

  /**
   * Accounts a pod on spec.nodeName (replacing an earlier version of it, which may have been
   * on another node). Pods without a node are the queue's business; pods that Succeeded or
   * Failed hold nothing (kube-scheduler's pod informer excludes them) and are dropped.
   */
  upsertPod(pod: Pod): PodInfo | undefined {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    const phase = pod.status?.phase;
    const done = phase === 'Succeeded' || phase === 'Failed';
    const at = this.#podNode.get(key);
    if (at !== undefined) {
      // A new version on the same node that changes nothing accounted (the watch confirming
      // an assumed bind, a status update): the PodInfo takes the new object, and the node's
      // generation — what per-node counts are cached on — stays.
      const pi = at === nodeName && !done ? this.#infos.get(at)?.pods.get(key) : undefined;
      if (pi && sameAccounting(pi.pod, pod)) {
        pi.pod = pod;
        return pi;
      }
      this.removePod(key);
    }
    if (!nodeName || done) return undefined;
    let ni = this.#infos.get(nodeName);
    if (!ni) {
      ni = newNodeInfo(nodeName);
      this.#infos.set(nodeName, ni);
    }
    const pi = newPodInfo(pod);
    addPodToNode(ni, pi);
    this.podsByLabel.add(pi);
    this.#podNode.set(key, nodeName);
    this.#track(ni);
    return pi;
  }

  /** Stops accounting a pod (by object or key); false when it was not accounted. */
  removePod(podOrKey: Pod | string): boolean {
    const key = typeof podOrKey === 'string' ? podOrKey : podKey(podOrKey);
    const nodeName = this.#podNode.get(key);
    if (nodeName === undefined) return false;
    this.#podNode.delete(key);
    const ni = this.#infos.get(nodeName);
    if (!ni) return false;
    const pi = ni.pods.get(key);
    if (pi) this.podsByLabel.remove(pi);
    removePodFromNode(ni, key);
    this.#track(ni);
    if (!ni.node && ni.pods.size === 0) this.#forget(ni);
    return true;
  }

  /** The node a pod is accounted on. */
  nodeOf(key: string): string | undefined {
    return this.#podNode.get(key);
  }

  /** Records `pod` as nominated to `node` (replacing an earlier nomination of it). */
  nominate(pod: Pod, node: string): void {
    const key = podKey(pod);
    this.unnominate(key);
    let pods = this.#nominated.get(node);
    if (!pods) this.#nominated.set(node, (pods = new Map()));
    pods.set(key, pod);
    this.#nominatedNode.set(key, node);
  }

  /** Forgets the pod's nomination (it was bound, deleted, or its nomination cleared). */
  unnominate(key: string): void {
    const node = this.#nominatedNode.get(key);
    if (node === undefined) return;
    this.#nominatedNode.delete(key);
    const pods = this.#nominated.get(node)!;
    pods.delete(key);
    if (pods.size === 0) this.#nominated.delete(node);
  }

  /** Whether any pod is nominated anywhere: when none is (the common case), a cycle skips the per-node look-up. */
  get hasNominations(): boolean {
    return this.#nominated.size > 0;
  }

  /** The pods nominated to `node`; undefined when there are none (the common case, and a cheap check). */
  nominatedOn(node: string): ReadonlyMap<string, Pod> | undefined {
    return this.#nominated.get(node);
  }

  /** On how many nodes an image is present (ImageStateSummary.NumNodes). */
  nodesWithImage(name: string): number {
    return this.#imageNodes.get(name) ?? 0;
  }

  #countImages(ni: NodeInfo, sign: 1 | -1): void {
    for (const name of ni.images.keys()) {
      const n = (this.#imageNodes.get(name) ?? 0) + sign;
      if (n > 0) this.#imageNodes.set(name, n);
      else this.#imageNodes.delete(name);
    }
  }

  #track(ni: NodeInfo): void {
    if (ni.podsWithAffinity.size > 0) this.#withAffinity.add(ni);
    else this.#withAffinity.delete(ni);
    if (ni.podsWithRequiredAntiAffinity.size > 0) this.#withRequiredAnti.add(ni);
    else this.#withRequiredAnti.delete(ni);
  }

  #forget(ni: NodeInfo): void {
    this.#infos.delete(ni.name);
    this.#withAffinity.delete(ni);
    this.#withRequiredAnti.delete(ni);
  }
}
