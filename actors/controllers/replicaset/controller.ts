/**
 * The ReplicaSet controller (pkg/controller/replicaset/replica_set.go), also the
 * ReplicationController's (a flavor reading them as ReplicaSets): keeps
 * spec.replicas active pods per ReplicaSet, adopting matching orphans and releasing pods
 * that stop matching, and reports the status. Pod creations and deletions are remembered
 * as expectations until the pod informer sees them, so a lagging watch cannot double them.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { labelSelectorToSelector } from '../../../api/selectors/labels.ts';
import { keyOf } from '../../informer.ts';
import { isPodActive, isPodReady } from '../../../machines/controllers/pods.ts';
import { splitKey, targets } from '../../client/index.ts';
import { claimPods } from '../claim.ts';
import { Expectations } from '../expectations.ts';
import { ownedPods, ownerHandlers } from '../owned-pods.ts';
import { claimCandidates, ownedBy } from '../../informers/shared.ts';
import { OWNER_UID_INDEX } from '../../informers/indexer.ts';
import type { Controller, ControllerContext, ControllerDefinition, InformerView, ObjectHandlers } from '../framework.ts';
import { manageReplicas, syncStatus, type ReplicaFlavor } from './manage.ts';

export const RS_KIND = 'ReplicaSet';

/** The ReplicaSet controller's own kind: apps/v1 ReplicaSets, read as they are. */
const REPLICA_SET: ReplicaFlavor = {
  kind: RS_KIND,
  apiVersion: 'apps/v1',
  targets: targets.replicasets,
  informer: (cc, handlers) => cc.informer({ target: targets.replicasets(), handlers }),
  stored: (rs) => rs,
};

export function createReplicaSetController(cc: ControllerContext): Controller {
  return createReplicaController(cc, REPLICA_SET);
}

/**
 * The controller for one flavor of replicated pods: ReplicaSets, or ReplicationControllers
 * read as ReplicaSets (replication/replication_controller.go runs this same code).
 */
export function createReplicaController(cc: ControllerContext, flavor: ReplicaFlavor): Controller {
  const expectations = new Expectations(() => cc.actor.clock.now());

  const rsInformer = flavor.informer(cc, ownerHandlers({ enqueue: cc.enqueue, expectations }) as ObjectHandlers<ReplicaSet>);

  const { ownerOf, handlers } = ownedPods<ReplicaSet>({
    kind: flavor.kind,
    owners: rsInformer,
    enqueue: cc.enqueue,
    expectations,
    onOwnedUpdate: (rs, old, cur) => {
      const minReady = rs.spec?.minReadySeconds ?? 0;
      // A pod that just turned ready becomes available minReadySeconds later: look again then.
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) cc.enqueueAfter(keyOf(rs), minReady * 1000 + 1000);
    },
  });
  const podInformer = cc.informer({ target: targets.pods(), handlers });

  return {
    async sync(key) {
      const cached = rsInformer.get(key);
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
      // kube's getReplicaSetPods: the pods it owns (owner-uid index) and the orphans of its namespace it may adopt — never every pod of the namespace.
      const candidates = claimCandidates(podInformer, rs).filter(isPodActive);
      const env = { cc, flavor, expectations, key, rs, selector: sel.value, namespace: namespace ?? '' };
      const pods = await claimPods(cc.api, { owner: rs, kind: flavor.kind, targets: flavor.targets, selector: sel.value }, candidates);
      const related = relatedPods(podInformer, rsInformer, rs, ownerOf);
      const err = needsSync && !rs.metadata?.deletionTimestamp ? await manageReplicas(env, pods, related) : null;
      return syncStatus(env, pods, err);
    },
  };
}

/**
 * The pods of the ReplicaSets related to `rs` (its own and its siblings'), from the owner-uid
 * index: the pods each related ReplicaSet of the namespace controls.
 */
function relatedPods(pods: InformerView<Pod>, sets: InformerView<ReplicaSet>, rs: ReplicaSet, ownerOf: (p: Pod) => ReplicaSet | undefined): Pod[] {
  // Siblings share the controller's uid in the owner-uid index; the namespace may hold thousands of others.
  const controller = rs.metadata?.ownerReferences?.find((r) => r.controller);
  const family = controller ? sets.byIndex(OWNER_UID_INDEX, controller.uid).filter((o) => sameFamily(o, rs)) : [rs];
  return family.flatMap((o) => ownedBy(pods, o).filter((p) => ownerOf(p) === o));
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
