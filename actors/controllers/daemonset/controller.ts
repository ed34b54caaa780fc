/**
 * The DaemonSet controller (pkg/controller/daemon/daemon_controller.go): one pod per node
 * that should run it (nodeSelector, required node affinity, taints against tolerations),
 * following nodes as they join, change and leave; RollingUpdate replaces out-of-date pods
 * within maxUnavailable, OnDelete only when a pod is deleted.
 *
 * Revision history: a revision is the hash of the pod template (plus status.collisionCount),
 * kept on each pod as the controller-revision-hash label (a pod is up to date when its label
 * equals the current hash) and as a ControllerRevision `<ds>-<hash>` (actors/controllers/history.ts).
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { claimCandidates } from '../../informers/shared.ts';
import { labelSelectorToSelector } from '../../../api/selectors/labels.ts';
import { keyOf } from '../../informer.ts';
import { computeHash } from '../../../machines/controllers/deployment/util.ts';
import { targetNodeName } from '../../../machines/controllers/daemonset/nodes.ts';
import { nodeStates, planManage, planRollingUpdate } from '../../../machines/controllers/daemonset/plan.ts';
import { splitKey, targets } from '../../client/index.ts';
import { claimPods } from '../claim.ts';
import { Expectations } from '../expectations.ts';
import { ownedPods, ownerHandlers } from '../owned-pods.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { applyPlan, syncStatus } from './sync.ts';
import { revisionInformer, syncHistory } from '../history.ts';
import { CONTROLLER_REVISION_HASH } from '../../../machines/controllers/history.ts';

export const DS_KIND = 'DaemonSet';

/** What decides placement: a node update that changes none of it is ignored (shouldIgnoreNodeUpdate). */
const placementOf = (n: Node) => JSON.stringify([n.metadata?.labels ?? {}, n.spec ?? {}]);

export function createDaemonSetController(cc: ControllerContext): Controller {
  const expectations = new Expectations(() => cc.actor.clock.now());
  const enqueueDS = (ds: DaemonSet) => cc.enqueue(keyOf(ds));
  const enqueueAll = () => dsInformer.list().forEach(enqueueDS);

  const dsInformer = cc.informer({ target: targets.daemonsets(), handlers: ownerHandlers({ enqueue: cc.enqueue, expectations }) });

  const { handlers } = ownedPods<DaemonSet>({ kind: DS_KIND, owners: dsInformer, enqueue: cc.enqueue, expectations });
  const podInformer = cc.informer({ target: targets.pods(), handlers });
  const revisions = revisionInformer(cc);

  const nodeInformer = cc.informer({
    target: targets.nodes(),
    handlers: {
      add: enqueueAll,
      update: (old, cur) => {
        if (placementOf(old) !== placementOf(cur)) enqueueAll();
      },
      delete: enqueueAll,
    },
  });

  return {
    async sync(key) {
      const ds = dsInformer.get(key);
      if (!ds) {
        expectations.delete(key);
        return;
      }
      const sel = labelSelectorToSelector(ds.spec?.selector);
      if (!sel.ok || sel.value === undefined || sel.value.length === 0) {
        cc.actor.log.warn('daemonset has an invalid or empty selector', { key });
        return;
      }
      const namespace = splitKey(key).namespace ?? '';
      const needsSync = expectations.satisfied(key);
      const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
      // The pods it owns and the orphans it may adopt (kube's controller-uid and orphan indexes), not every pod of the namespace.
      const candidates = claimCandidates(podInformer, ds);
      const pods = await claimPods(cc.api, { owner: ds, kind: DS_KIND, targets: targets.daemonsets, selector: sel.value }, candidates);
      const { states, orphans } = nodeStates(ds, nodeInformer.list(), pods);
      const env = { cc, expectations, key, ds, namespace, hash };
      if (needsSync && !ds.metadata?.deletionTimestamp) {
        const live = new Set(pods.map((p) => `${ds.metadata?.name}-${p.metadata?.labels?.[CONTROLLER_REVISION_HASH] ?? ''}`));
        await syncHistory(cc, revisions, { owner: ds, ownerApiVersion: 'apps/v1', ownerKind: DS_KIND, hash, live });
        let plan = planManage(states, orphans);
        const idle = plan.createOn.length === 0 && plan.deletePods.length === 0;
        if (idle && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
          plan = planRollingUpdate(ds, states, hash, cc.actor.clock.now());
        }
        await applyPlan(env, plan, new Set(orphans.map((p) => targetNodeName(p) ?? '')));
      }
      return syncStatus(env, states);
    },
  };
}

export const daemonSetController: ControllerDefinition = {
  name: 'daemonset',
  aliases: ['daemonset-controller'],
  component: 'daemonset-controller',
  enabledByDefault: true,
  create: createDaemonSetController,
};
