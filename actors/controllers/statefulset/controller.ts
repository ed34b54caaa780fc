/**
 * The StatefulSet controller (pkg/controller/statefulset/stateful_set.go and
 * stateful_set_control.go): pods with stable names `<set>-<ordinal>`, created in order and
 * removed highest first under OrderedReady or all at once under Parallel; RollingUpdate
 * replaces pods at or above the partition from the highest ordinal down, OnDelete waits
 * for them to be deleted. Revisions are described in machines/controllers/statefulset/identity.ts; each is also a
 * ControllerRevision (actors/controllers/history.ts).
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { labelSelectorToSelector } from '../../../api/selectors/labels.ts';
import { revisionName, revisionOf, templateOf } from '../../../machines/controllers/statefulset/identity.ts';
import { planStatefulSet, sortPods } from '../../../machines/controllers/statefulset/plan.ts';
import { splitKey, targets } from '../../client/index.ts';
import { claimPods } from '../claim.ts';
import { claimCandidates } from '../../informers/shared.ts';
import { ownedPods, ownerHandlers } from '../owned-pods.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { applyActions, syncStatus } from './sync.ts';
import { revisionInformer, syncHistory } from '../history.ts';
import { computeHash } from '../../../machines/controllers/deployment/util.ts';

export const STS_KIND = 'StatefulSet';

export function createStatefulSetController(cc: ControllerContext): Controller {
  const setInformer = cc.informer({ target: targets.statefulsets(), handlers: ownerHandlers({ enqueue: cc.enqueue }) });

  const { handlers } = ownedPods<StatefulSet>({ kind: STS_KIND, owners: setInformer, enqueue: cc.enqueue });
  const podInformer = cc.informer({ target: targets.pods(), handlers });
  const revisions = revisionInformer(cc);

  return {
    async sync(key) {
      const set = setInformer.get(key);
      if (!set) return;
      const sel = labelSelectorToSelector(set.spec?.selector);
      if (!sel.ok || sel.value === undefined || sel.value.length === 0) {
        cc.actor.log.warn('statefulset has an invalid or empty selector', { key });
        return;
      }
      const namespace = splitKey(key).namespace ?? '';
      // The pods it owns and the orphans it may adopt (kube's controller-uid and orphan indexes), not every pod of the namespace.
      const candidates = claimCandidates(podInformer, set);
      const pods = await claimPods(cc.api, { owner: set, kind: STS_KIND, targets: targets.statefulsets, selector: sel.value }, candidates);
      const updateRevision = revisionName(set);
      const currentRevision = set.status?.currentRevision || updateRevision;
      // The current revision's template survives on its pods; without one, the update revision is all we know.
      const recorded = pods.map((p) => (revisionOf(p) === currentRevision ? templateOf(p) : undefined)).find((t) => t !== undefined);
      const env = {
        cc,
        set,
        namespace,
        currentRevision: recorded !== undefined ? currentRevision : updateRevision,
        updateRevision,
        currentTemplate: recorded ?? set.spec?.template,
      };
      if (!set.metadata?.deletionTimestamp) {
        const live = new Set([env.currentRevision, ...pods.map((p) => revisionOf(p) ?? '')]);
        await syncHistory(cc, revisions, { owner: set, ownerApiVersion: 'apps/v1', ownerKind: STS_KIND, hash: computeHash(set.spec?.template, set.status?.collisionCount), live });
        await applyActions(env, planStatefulSet(set, sortPods(set, pods), updateRevision, cc.actor.clock.now()));
      }
      return syncStatus(env, pods);
    },
  };
}

export const statefulSetController: ControllerDefinition = {
  name: 'statefulset',
  aliases: ['statefulset-controller'],
  component: 'statefulset-controller',
  enabledByDefault: true,
  create: createStatefulSetController,
};
