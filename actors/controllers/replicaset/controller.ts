/**
 * The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps
 * spec.replicas active pods per ReplicaSet, adopting matching orphans and releasing pods
 * that stop matching, and reports the status. Pod creations and deletions are remembered
 * as expectations until the pod informer sees them, so a lagging watch cannot double them.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { labelSelectorToSelector, matchesLabels } from '../../../api/selectors/labels.ts';
import { keyOf } from '../../informer.ts';
import { controllerOf } from '../../../machines/controllers/owners.ts';
import { isPodActive, isPodReady } from '../../../machines/controllers/pods.ts';
import { splitKey, targets } from '../../client/index.ts';
import { claimObjects } from '../claim.ts';
import { Expectations } from '../expectations.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { manageReplicas, syncStatus } from './manage.ts';

export const RS_KIND = 'ReplicaSet';

export function createReplicaSetController(cc: ControllerContext): Controller {
  const expectations = new Expectations(() => cc.actor.clock.now());
  const enqueueRS = (rs: KubeObject) => cc.enqueue(keyOf(rs));

  const rsInformer = cc.informer({
    target: targets.replicasets(),
    handlers: {
      add: enqueueRS,
      update: (_, cur) => enqueueRS(cur),
      delete: (rs) => {
        expectations.delete(keyOf(rs));
        enqueueRS(rs);
      },
    },
  });

  /** resolveControllerRef: the cached ReplicaSet a controllerRef names, if the uid matches. */
  const ownerOf = (pod: KubeObject): KubeObject | undefined => {
    const ref = controllerOf(pod);
    if (ref?.kind !== RS_KIND) return undefined;
    const rs = rsInformer.get(`${pod.metadata?.namespace}/${ref.name}`);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  };
  /** getPodReplicaSets: the ReplicaSets whose selector matches an orphan pod. */
  const matching = (pod: KubeObject): KubeObject[] =>
    rsInformer.list().filter((rs) => {
      if (rs.metadata?.namespace !== pod.metadata?.namespace) return false;
      const sel = labelSelectorToSelector((rs as ReplicaSet).spec?.selector);
      return sel.ok && sel.value !== undefined && sel.value.length > 0 && matchesLabels(sel.value, pod.metadata?.labels);
    });

  const deletePod = (pod: KubeObject) => {
    const rs = ownerOf(pod);
    if (!rs) return;
    expectations.deletionObserved(keyOf(rs), keyOf(pod));
    enqueueRS(rs);
  };

  const podInformer = cc.informer({
    target: targets.pods(),
    handlers: {
      add: (pod) => {
        if (pod.metadata?.deletionTimestamp) return deletePod(pod);
        const rs = ownerOf(pod);
        if (rs) {
          expectations.creationObserved(keyOf(rs));
          return enqueueRS(rs);
        }
        if (controllerOf(pod)) return;
        for (const m of matching(pod)) enqueueRS(m);
      },
      update: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
        if (cur.metadata?.deletionTimestamp) {
          deletePod(cur);
          if (labelsChanged) deletePod(old);
          return;
        }
        const oldRef = controllerOf(old), curRef = controllerOf(cur);
        const refChanged = oldRef?.uid !== curRef?.uid;
        if (refChanged && oldRef) {
          const rs = ownerOf(old);
          if (rs) enqueueRS(rs);
        }
        if (curRef) {
          const rs = ownerOf(cur);
          if (!rs) return;
          enqueueRS(rs);
          const minReady = (rs as ReplicaSet).spec?.minReadySeconds ?? 0;
          // A pod that just turned ready becomes available minReadySeconds later: look again then.
          if (minReady > 0 && !isPodReady(old as Pod) && isPodReady(cur as Pod)) cc.enqueueAfter(keyOf(rs), minReady * 1000 + 1000);
          return;
        }
        if (labelsChanged || refChanged) for (const m of matching(cur)) enqueueRS(m);
      },
      delete: deletePod,
    },
  });

  return {
    async sync(key) {
      const cached = rsInformer.get(key) as ReplicaSet | undefined;
      if (!cached) {
        expectations.delete(key);
        return;
      }
      const rs = cached;
      const needsSync = expectations.satisfied(key);
      const sel = labelSelectorToSelector(rs.spec?.selector);
      if (!sel.ok || sel.value === undefined) {
        cc.actor.log.warn('replicaset has an invalid selector', { key, error: sel.ok ? 'nil' : sel.status.message });
        return;
      }
      const { namespace } = splitKey(key);
      const candidates = podInformer.list().filter((p) => p.metadata?.namespace === namespace && isPodActive(p as Pod));
      const env = { cc, expectations, key, rs, selector: sel.value, namespace: namespace ?? '' };
      const claim = {
        api: cc.api,
        owner: rs as KubeObject,
        ownerApiVersion: 'apps/v1',
        ownerKind: RS_KIND,
        ownerTarget: targets.replicasets(namespace, rs.metadata?.name),
        selector: sel.value,
        targetOf: (p: KubeObject) => targets.pods(namespace, p.metadata?.name),
      };
      const pods = await claimObjects(claim, candidates);
      const related = podInformer.list().filter((p) => {
        const o = ownerOf(p);
        return o !== undefined && p.metadata?.namespace === namespace && sameFamily(o as ReplicaSet, rs);
      }) as Pod[];
      const err = needsSync && !rs.metadata?.deletionTimestamp ? await manageReplicas(env, pods as Pod[], related) : null;
      return syncStatus(env, pods as Pod[], err);
    },
  };
}

/** Related ReplicaSets share a controller (the same Deployment); a lone ReplicaSet relates only to itself. */
function sameFamily(a: ReplicaSet, b: ReplicaSet): boolean {
  if (a.metadata?.uid === b.metadata?.uid) return true;
  const ca = a.metadata?.ownerReferences?.find((r) => r.controller), cb = b.metadata?.ownerReferences?.find((r) => r.controller);
  return ca !== undefined && ca.uid === cb?.uid;
}

export const replicaSetController: ControllerDefinition = {
  name: 'replicaset',
  aliases: ['replicaset-controller'],
  component: 'replicaset-controller',
  enabledByDefault: true,
  create: createReplicaSetController,
};
