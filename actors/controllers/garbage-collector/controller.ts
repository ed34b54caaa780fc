/**
 * The garbage collector (pkg/controller/garbagecollector): deletes objects whose owners are
 * all gone, carries out Foreground and Orphan deletion, and drops references to owners
 * that no longer exist.
 *
 * One informer per monitored kind feeds the owner graph (graph.ts); handlers enqueue uids.
 * A key is an object's uid, and its sync does what Kubernetes' two queues do:
 * - an object marked with the `orphan` finalizer: strip the references to it from every
 *   dependent, then remove the finalizer (attemptToOrphan);
 * - one marked with `foregroundDeletion`: have its dependents deleted, and remove the
 *   finalizer once no dependent with blockOwnerDeletion is left (processDeletingDependentsItem);
 * - any other object with ownerReferences: classify them — solid, dangling (no object of
 *   that uid), waiting (owner deleting in the foreground) — and act (attemptToDeleteItem).
 */
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import type { KindInfo } from '../../../api/kinds.ts';
import { kindByGvk, kindRegistry } from '../../../api/kinds.ts';
import { ApiError } from '../../../base/status.ts';
import type { InformerView } from '../../informers/shared.ts';
import type { OwnerReference } from '../../../machines/controllers/owners.ts';
import * as gc from '../../../machines/controllers/gc/references.ts';
import { isNotFound } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { monitoredKinds, OwnerGraph } from './graph.ts';
import { deleteObject, removeFinalizer, setOwnerReferences, targetOf } from './operations.ts';

export function createGarbageCollector(cc: ControllerContext): Controller {
  const graph = new OwnerGraph();
  const informers = new Map<KindInfo, InformerView<KubeObject>>();
  const enqueue = (uid: string | undefined) => uid && cc.enqueue(uid);

  const monitor = (kind: KindInfo): void => {
    const informer = cc.informer<KubeObject>({
      target: targetOf(kind, undefined),
      handlers: {
        add(obj) {
          graph.observe(kind, obj);
          if (obj.metadata?.ownerReferences?.length || gc.isDeletingDependents(obj) || gc.isOrphaning(obj)) enqueue(obj.metadata?.uid);
        },
        update(old, cur) {
          graph.observe(kind, cur);
          const changed = gc.changedOwners(old, cur);
          const marked = gc.isDeletingDependents(cur) || gc.isOrphaning(cur);
          if (changed.length > 0 || marked) enqueue(cur.metadata?.uid);
          // An owner waiting in the foreground may have just lost a blocking dependent.
          for (const o of changed) enqueue(o);
        },
        delete(obj) {
          graph.forget(obj);
          const uid = obj.metadata?.uid;
          if (uid) for (const d of graph.dependents(uid)) enqueue(d);
          for (const r of obj.metadata?.ownerReferences ?? []) enqueue(r.uid);
        },
      },
    });
    informers.set(kind, informer);
  };
  for (const kind of monitoredKinds()) monitor(kind);
  // Kinds registered while it runs (custom resources) are monitored from then on.
  const stopFollowing = kindRegistry.onChange(() => {
    for (const kind of monitoredKinds()) if (!informers.has(kind)) monitor(kind);
  });

  const cached = (uid: string): { kind: KindInfo; obj: KubeObject } | undefined => {
    const node = graph.get(uid);
    const obj = node && informers.get(node.kind)?.get(node.key);
    return node && obj?.metadata?.uid === uid ? { kind: node.kind, obj } : undefined;
  };

  /** isDangling: the cache first, then (when the cache says absent) a live read, so a lagging watch cannot make a fresh owner look gone. */
  const ownerStateOf = async (dependent: KubeObject, ref: OwnerReference): Promise<gc.OwnerState> => {
    const kind = kindByGvk(ref.apiVersion, ref.kind);
    if (!kind) {
      cc.actor.log.warn('ownerReference to an unknown kind is left alone', { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name });
      return 'unresolvable';
    }
    // A cluster-scoped dependent cannot name a namespaced owner: unresolvable, never collected.
    const namespace = dependent.metadata?.namespace;
    if (kind.namespaced && !namespace) {
      const message = `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`;
      void cc.events.record(dependent, 'Warning', 'OwnerRefInvalidNamespace', message);
      return 'unresolvable';
    }
    const key = kind.namespaced ? `${namespace}/${ref.name}` : ref.name;
    const fromCache = gc.ownerState(ref, informers.get(kind)?.get(key));
    if (fromCache !== 'absent') return fromCache;
    const live = await cc.api.get(targetOf(kind, namespace, ref.name));
    if (!live.ok && !isNotFound(live.status)) throw new ApiError(live.status);
    return gc.ownerState(ref, live.ok ? live.value : undefined);
  };

  const attemptToDeleteItem = async (kind: KindInfo, obj: KubeObject): Promise<void> => {
    const refs = obj.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states: gc.OwnerState[] = [];
    for (const ref of refs) states.push(await ownerStateOf(obj, ref));
    const uid = obj.metadata?.uid ?? '';
    const action = gc.decide(obj, gc.classifyReferences(refs, states), graph.dependents(uid).length > 0);
    if (action.type === 'patchReferences') return setOwnerReferences(cc.api, kind, obj, action.ownerReferences);
    if (action.type === 'delete') return deleteObject(cc.api, kind, obj, action.propagationPolicy);
  };

  const processDeletingDependents = async (kind: KindInfo, owner: KubeObject): Promise<void> => {
    const uid = owner.metadata?.uid ?? '';
    const deps = graph.dependents(uid).map(cached).filter((d) => d !== undefined);
    const blocking = deps.filter((d) => gc.blocksOwner(d.obj, uid));
    if (blocking.length === 0) return removeFinalizer(cc.api, kind, owner, gc.FOREGROUND_FINALIZER);
    // Each dependent decides in its own sync: it sees this owner waiting and goes.
    for (const d of deps) if (!gc.isBeingDeleted(d.obj)) enqueue(d.obj.metadata?.uid);
  };

  const orphanDependents = async (kind: KindInfo, owner: KubeObject): Promise<void> => {
    const uid = owner.metadata?.uid ?? '';
    for (const depUid of graph.dependents(uid)) {
      const d = cached(depUid);
      if (d) await setOwnerReferences(cc.api, d.kind, d.obj, gc.withoutOwner(d.obj, uid));
    }
    await removeFinalizer(cc.api, kind, owner, gc.ORPHAN_FINALIZER);
  };

  return {
    stop: stopFollowing,
    async sync(uid) {
      const item = cached(uid);
      if (!item) return;
      const { kind, obj } = item;
      if (gc.isOrphaning(obj)) return orphanDependents(kind, obj);
      if (gc.isDeletingDependents(obj)) return processDeletingDependents(kind, obj);
      if (gc.isBeingDeleted(obj)) return;
      return attemptToDeleteItem(kind, obj);
    },
  };
}

export const garbageCollectorController: ControllerDefinition = {
  name: 'garbage-collector',
  aliases: ['garbage-collector-controller', 'garbagecollector'],
  component: 'garbage-collector-controller',
  enabledByDefault: true,
  create: createGarbageCollector,
};
