/**
 * The scheduler's informers — nodes, pods (all namespaces, bound and pending: bound pods are
 * the snapshot's accounting) and namespaces (labels for pod affinity's namespaceSelector) —
 * taken from the process's shared informer factory and turned into the chart's pod/node
 * events; claims, volumes and StorageClasses kept in the snapshot's VolumeStore for
 * VolumeBinding, each addition or change reported through `onVolumeChange`; and Services,
 * ReplicaSets and StatefulSets kept for PodTopologySpread's default constraints; PodDisruptionBudgets for preemption. Pods are keyed by uid in the scheduler and by "namespace/name" in
 * the informer; this keeps the mapping.
 */
import type { Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { SchedulerEvent } from '../../machines/scheduler/chart.ts';
import type { Snapshot } from '../../machines/scheduler/snapshot.ts';
import { targets } from '../client/targets.ts';
import type { SharedInformerFactory } from '../informers/factory.ts';
import type { ObjectHandlers, SharedInformer } from '../informers/shared.ts';
import { keyOf } from '../informer.ts';

/** Handlers that keep `map` (by informer key) as the informer sees it. */
function mirrored<T extends object>(map: Map<string, T>): ObjectHandlers<T> {
  const set = (o: T) => void map.set(keyOf(o as { metadata?: { namespace?: string; name?: string } }), o);
  return { add: set, update: (_, o) => set(o), delete: (o) => void map.delete(keyOf(o as { metadata?: { namespace?: string; name?: string } })) };
}

export class SchedulerInformers {
  readonly nodes: SharedInformer<Node>;
  readonly pods: SharedInformer<Pod>;
  readonly namespaces: SharedInformer<Namespace>;
  readonly claims: SharedInformer<PersistentVolumeClaim>;
  readonly volumes: SharedInformer<PersistentVolume>;
  readonly classes: SharedInformer<StorageClass>;
  readonly services: SharedInformer<Service>;
  readonly replicaSets: SharedInformer<ReplicaSet>;
  readonly statefulSets: SharedInformer<StatefulSet>;
  readonly pdbs: SharedInformer<PodDisruptionBudget>;
  readonly #onVolumeChange: () => void;
  readonly #onClaimBound: (claim: string) => void;
  readonly #uidOf = new Map<string, string>();
  readonly #nameOf = new Map<string, string>();
  readonly #send: (e: SchedulerEvent) => void;
  readonly #snapshot: Snapshot;
  readonly #unsubscribe: (() => void)[] = [];
  #stopped = false;

  constructor(
    factory: SharedInformerFactory,
    snapshot: Snapshot,
    send: (e: SchedulerEvent) => void,
    onVolumeChange: () => void = () => {},
    onClaimBound: (claim: string) => void = () => {},
  ) {
    this.#send = send;
    this.#onVolumeChange = onVolumeChange;
    this.#onClaimBound = onClaimBound;
    this.#snapshot = snapshot;
    this.namespaces = factory.informer({ target: targets.namespaces() });
    this.nodes = factory.informer({ target: targets.nodes() });
    this.pods = factory.informer({ target: targets.pods() });
    this.claims = factory.informer({ target: targets.persistentvolumeclaims() });
    this.volumes = factory.informer({ target: targets.persistentvolumes() });
    this.classes = factory.informer({ target: targets.storageclasses() });
    this.services = factory.informer({ target: targets.services() });
    this.replicaSets = factory.informer({ target: targets.replicasets() });
    this.statefulSets = factory.informer({ target: targets.statefulsets() });
    this.pdbs = factory.informer({ target: targets.poddisruptionbudgets() });
  }

  /**
   * Subscribes namespaces and storage, then nodes, then pods, each once the one before has
   * listed, so no pod is scheduled against a partial list; resolves once all listed.
   */
  async start(): Promise<void> {
    const labels = (ns: Namespace) => this.#snapshot.namespaceLabels.set(keyOf(ns), ns.metadata?.labels ?? {});
    await this.#follow(this.namespaces, { add: labels, update: (_, ns) => labels(ns), delete: (ns) => this.#snapshot.namespaceLabels.delete(keyOf(ns)) });
    const store = this.#snapshot.volumes;
    await Promise.all([
      this.#follow(this.classes, this.#kept(store.classes)),
      this.#follow(this.volumes, this.#kept(store.volumes)),
      this.#follow(this.claims, this.#claimHandlers(store.claims)),
      this.#follow(this.services, mirrored(this.#snapshot.spread.services)),
      this.#follow(this.replicaSets, mirrored(this.#snapshot.spread.replicaSets)),
      this.#follow(this.statefulSets, mirrored(this.#snapshot.spread.statefulSets)),
      this.#follow(this.pdbs, mirrored(this.#snapshot.pdbs)),
    ]);
    const send = this.#send;
    await this.#follow(this.nodes, {
      add: (node) => send({ type: 'node.added', node }),
      update: (_, node) => send({ type: 'node.updated', node }),
      delete: (node) => send({ type: 'node.deleted', node: { metadata: { name: node.metadata?.name ?? '' } } }),
    });
    const podEvent = (type: 'pod.added' | 'pod.updated', pod: Pod) => {
      const k = keyOf(pod);
      const uid = pod.metadata?.uid ?? k;
      const old = this.#uidOf.get(k);
      // An update of the pod these maps already name (most events): nothing to record.
      if (old !== uid) {
        // The same name with a new uid: the old pod is gone.
        if (old !== undefined) this.#forget(k);
        this.#uidOf.set(k, uid);
        this.#nameOf.set(uid, k);
      }
      send({ type, pod });
    };
    await this.#follow(this.pods, { add: (p) => podEvent('pod.added', p), update: (_, p) => podEvent('pod.updated', p), delete: (p) => this.#forget(keyOf(p)) });
  }

  /** Unsubscribes this incarnation's handlers (the shared informers go on for the others). */
  stop(): void {
    this.#stopped = true;
    for (const u of this.#unsubscribe.splice(0)) u();
  }

  /** The informer's latest version of a pod, by uid. */
  pod(uid: string): Pod | undefined {
    const k = this.#nameOf.get(uid);
    const pod = k === undefined ? undefined : this.pods.get(k);
    return pod?.metadata?.uid === uid ? pod : undefined;
  }

  /** Handlers keeping `map` (by informer key) as the informer sees it; an addition or change may admit a pod. */
  #kept<T extends object>(map: Map<string, T>): ObjectHandlers<T> {
    const kept = mirrored(map);
    const set = (o: T) => {
      kept.add?.(o);
      this.#onVolumeChange();
    };
    return { ...kept, add: set, update: (_, o) => set(o) };
  }

  /** Claims kept like the other storage objects; one that becomes Bound is also reported by key. */
  #claimHandlers(map: Map<string, PersistentVolumeClaim>): ObjectHandlers<PersistentVolumeClaim> {
    const kept = this.#kept(map);
    const bound = (pvc: PersistentVolumeClaim) => pvc.status?.phase === 'Bound';
    return {
      ...kept,
      add: (pvc) => {
        kept.add?.(pvc);
        if (bound(pvc)) this.#onClaimBound(keyOf(pvc));
      },
      update: (old, pvc) => {
        kept.update?.(old, pvc);
        if (bound(pvc) && !bound(old)) this.#onClaimBound(keyOf(pvc));
      },
    };
  }

  async #follow<T>(informer: SharedInformer<T & object>, h: ObjectHandlers<T & object>): Promise<void> {
    if (this.#stopped) return;
    this.#unsubscribe.push(informer.subscribe(h));
    await informer.whenSynced();
  }

  #forget(k: string): void {
    const uid = this.#uidOf.get(k);
    if (uid === undefined) return;
    this.#uidOf.delete(k);
    this.#nameOf.delete(uid);
    const [namespace, name] = k.split('/');
    this.#send({ type: 'pod.deleted', pod: { metadata: { namespace, name, uid } } });
  }
}
