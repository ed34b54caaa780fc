/**
 * The scheduler's informers — nodes, pods (all namespaces, bound and pending: bound
 * pods are the snapshot's accounting) and namespaces (labels for pod affinity's
 * namespaceSelector) — turned into the chart's pod/node events; and claims, volumes and
 * StorageClasses kept in the snapshot's VolumeStore for VolumeBinding, each change reported
 * through `onVolumeChange`. Pods are keyed by uid in the scheduler and by "namespace/name"
 * in the informer; this keeps the mapping.
 */
import type { Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { SchedulerEvent } from '../../machines/scheduler/chart.ts';
import type { Snapshot } from '../../machines/scheduler/snapshot.ts';
import type { Clock } from '../../base/clock.ts';
import { Informer } from '../informer.ts';

const core = (resource: string) => ({ group: '', version: 'v1', resource });

export class SchedulerInformers {
  readonly nodes: Informer;
  readonly pods: Informer;
  readonly namespaces: Informer;
  readonly claims: Informer;
  readonly volumes: Informer;
  readonly classes: Informer;
  readonly #uidOf = new Map<string, string>();
  readonly #nameOf = new Map<string, string>();

  constructor(port: Port, clock: Clock, snapshot: Snapshot, send: (e: SchedulerEvent) => void, onVolumeChange: () => void = () => {}) {
    this.nodes = new Informer({
      port, clock, target: core('nodes'),
      handlers: {
        add: (k) => send({ type: 'node.added', node: this.nodes.get(k) as Node }),
        update: (k) => send({ type: 'node.updated', node: this.nodes.get(k) as Node }),
        delete: (k) => send({ type: 'node.deleted', node: { metadata: { name: k } } }),
      },
    });
    const podEvent = (type: 'pod.added' | 'pod.updated') => (k: string) => {
      const pod = this.pods.get(k) as Pod;
      const uid = pod.metadata?.uid ?? k;
      const old = this.#uidOf.get(k);
      // The same name with a new uid: the old pod is gone.
      if (old !== undefined && old !== uid) this.#forget(k, send);
      this.#uidOf.set(k, uid);
      this.#nameOf.set(uid, k);
      send({ type, pod });
    };
    this.pods = new Informer({
      port, clock, target: core('pods'),
      handlers: { add: podEvent('pod.added'), update: podEvent('pod.updated'), delete: (k) => this.#forget(k, send) },
    });
    this.namespaces = new Informer({
      port, clock, target: core('namespaces'),
      handlers: {
        add: (k) => snapshot.namespaceLabels.set(k, (this.namespaces.get(k) as Namespace).metadata?.labels ?? {}),
        update: (k) => snapshot.namespaceLabels.set(k, (this.namespaces.get(k) as Namespace).metadata?.labels ?? {}),
        delete: (k) => snapshot.namespaceLabels.delete(k),
      },
    });
    const store = snapshot.volumes;
    const kept = <T>(map: Map<string, T>, informer: () => Informer) => ({
      add: (k: string) => {
        map.set(k, informer().get(k) as T);
        onVolumeChange();
      },
      update: (k: string) => {
        map.set(k, informer().get(k) as T);
        onVolumeChange();
      },
      delete: (k: string) => void map.delete(k),
    });
    this.claims = new Informer({ port, clock, target: core('persistentvolumeclaims'), handlers: kept<PersistentVolumeClaim>(store.claims, () => this.claims) });
    this.volumes = new Informer({ port, clock, target: core('persistentvolumes'), handlers: kept<PersistentVolume>(store.volumes, () => this.volumes) });
    this.classes = new Informer({ port, clock, target: { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' }, handlers: kept<StorageClass>(store.classes, () => this.classes) });
  }

  /** Storage and nodes first, so no pod is scheduled against a partial list; resolves once all are listed. */
  async start(): Promise<void> {
    await this.namespaces.start();
    await Promise.all([this.classes.start(), this.volumes.start(), this.claims.start()]);
    await this.nodes.start();
    await this.pods.start();
  }

  stop(): void {
    this.nodes.stop();
    this.pods.stop();
    this.namespaces.stop();
    this.claims.stop();
    this.volumes.stop();
    this.classes.stop();
  }

  /** Takes the watch envelopes of the informers; false for anything else. */
  handle(env: Envelope): boolean {
    return this.pods.handle(env) || this.nodes.handle(env) || this.namespaces.handle(env) || this.claims.handle(env) || this.volumes.handle(env) || this.classes.handle(env);
  }

  /** The informer's latest version of a pod, by uid. */
  pod(uid: string): Pod | undefined {
    const k = this.#nameOf.get(uid);
    const pod = k === undefined ? undefined : (this.pods.get(k) as Pod | undefined);
    return pod?.metadata?.uid === uid ? pod : undefined;
  }

  #forget(k: string, send: (e: SchedulerEvent) => void): void {
    const uid = this.#uidOf.get(k);
    if (uid === undefined) return;
    this.#uidOf.delete(k);
    this.#nameOf.delete(uid);
    const [namespace, name] = k.split('/');
    send({ type: 'pod.deleted', pod: { metadata: { namespace, name, uid } } });
  }
}
