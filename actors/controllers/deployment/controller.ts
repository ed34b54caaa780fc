/**
 * The Deployment controller (pkg/controller/deployment/deployment_controller.go syncDeployment):
 * claims ReplicaSets by selector, then — paused or scaled: proportional scaling only; else
 * one step of RollingUpdate or Recreate — and writes the rollout status with the
 * Progressing and Available conditions. A deployment waiting on its progress deadline is
 * looked at again when the deadline passes.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Indexable } from '../../informers/indexer.ts';
import { NAMESPACE_INDEX } from '../../informers/indexer.ts';
import { claimCandidates, ownedBy } from '../../informers/shared.ts';
import { labelSelectorToSelector, matchesLabels } from '../../../api/selectors/labels.ts';
import { keyOf } from '../../informer.ts';
import { controllerOf } from '../../../machines/controllers/owners.ts';
import * as s from '../../../machines/controllers/deployment/status.ts';
import { splitKey, targets } from '../../client/index.ts';
import { claimObjects } from '../claim.ts';
import type { Controller, ControllerContext, ControllerDefinition, SyncResult } from '../framework.ts';
import { Rollout } from './rollout.ts';
import { isScalingEvent, oldPodsRunning, reconcileNew, reconcileOld, scaleDeployment } from './strategies.ts';
import { clone } from '../../../api/json.ts';

export function createDeploymentController(cc: ControllerContext): Controller {
  const enqueue = (d: Indexable) => cc.enqueue(keyOf(d));
  const deployments = cc.informer({ target: targets.deployments(), handlers: { add: enqueue, update: (_, d) => enqueue(d), delete: enqueue } });
  const ownerOf = <O extends Indexable>(obj: { metadata?: ObjectMeta }, kind: string, informer: { get(k: string): O | undefined }) => {
    const ref = controllerOf(obj);
    if (ref?.kind !== kind) return undefined;
    const o = informer.get(`${obj.metadata?.namespace}/${ref.name}`);
    return o?.metadata?.uid === ref.uid ? o : undefined;
  };
  const rsChanged = (rs: ReplicaSet) => {
    const d = ownerOf(rs, 'Deployment', deployments);
    if (d) return enqueue(d);
    if (controllerOf(rs)) return;
    for (const x of deployments.byIndex(NAMESPACE_INDEX, rs.metadata?.namespace ?? '')) {
      const sel = labelSelectorToSelector(x.spec?.selector);
      if (sel.ok && sel.value?.length && matchesLabels(sel.value, rs.metadata?.labels)) enqueue(x);
    }
  };
  const replicasets = cc.informer({ target: targets.replicasets(), handlers: { add: rsChanged, update: (_, rs) => rsChanged(rs), delete: rsChanged } });
  const pods = cc.informer({
    target: targets.pods(),
    handlers: {
      // Recreate waits for the old pods to be gone.
      delete: (p) => {
        const rs = ownerOf(p, 'ReplicaSet', replicasets);
        const d = rs && ownerOf(rs, 'Deployment', deployments);
        if (d && d.spec?.strategy?.type === 'Recreate') enqueue(d);
      },
    },
  });

  async function sync(key: string): Promise<SyncResult | void> {
    const cached = deployments.get(key);
    if (!cached) return;
    const d = clone(cached);
    const { namespace } = splitKey(key);
    const now = () => cc.actor.clock.now();
    const sel = labelSelectorToSelector(d.spec?.selector);
    if (!sel.ok || !sel.value || sel.value.length === 0) {
      void cc.events.record(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const candidates = claimCandidates(replicasets, d);
    const claimed = await claimObjects(
      { api: cc.api, owner: d, ownerApiVersion: 'apps/v1', ownerKind: 'Deployment', ownerTarget: targets.deployments(namespace, d.metadata?.name), selector: sel.value, targetOf: (o) => targets.replicasets(namespace, o.metadata?.name) },
      candidates,
    );
    const r = new Rollout(cc, d, claimed);
    if (d.metadata?.deletionTimestamp) {
      const [newRS, old] = await r.newAndOld(false);
      await r.putStatus(s.calculateStatus([...old, ...(newRS ? [newRS] : [])].map((x) => r.fresh(x)), newRS && r.fresh(newRS), r.d, now()));
      return;
    }
    // checkPausedConditions.
    if (s.hasProgressDeadline(d)) {
      const cond = s.getCondition(d.status, 'Progressing');
      const paused = d.spec?.paused === true;
      if (paused && cond?.reason !== s.PausedDeployReason) {
        s.setCondition((r.d.status ??= {}), s.newCondition('Progressing', 'Unknown', s.PausedDeployReason, 'Deployment is paused', now()));
        await r.writeStatus();
      } else if (!paused && cond?.reason === s.PausedDeployReason) {
        s.setCondition((r.d.status ??= {}), s.newCondition('Progressing', 'Unknown', s.ResumedDeployReason, 'Deployment is resumed', now()));
        await r.writeStatus();
      }
    }
    const all = () => r.rss;
    if (r.d.spec?.paused || isScalingEvent(r, all())) {
      const [newRS, old] = await r.newAndOld(false);
      await scaleDeployment(r, newRS, old);
      if (r.d.spec?.paused) await r.cleanup(old);
      await r.putStatus(s.calculateStatus(all(), newRS && r.fresh(newRS), r.d, now()));
      return;
    }
    const rolloutStatus = async (newRS: ReplicaSet | undefined): Promise<SyncResult | void> => {
      const status = s.rolloutStatus(all(), newRS && r.fresh(newRS), r.d, now());
      if (await r.putStatus(status)) return;
      const after = s.stuckRequeueMs(r.d, status, now());
      return after === undefined ? undefined : { requeueAfter: after };
    };
    if (r.d.spec?.strategy?.type === 'Recreate') {
      let [newRS, old] = await r.newAndOld(false);
      let scaledDown = false;
      for (const rs of old) if (rs.spec?.replicas) scaledDown = (await r.scale(rs, 0)) || scaledDown;
      // The old ReplicaSets' pods (what oldPodsRunning looks for), not the namespace's.
      const oldPods = old.flatMap((rs) => ownedBy(pods, rs));
      if (scaledDown || oldPodsRunning(r, newRS, old, oldPods)) return rolloutStatus(newRS);
      if (!newRS) [newRS, old] = await r.newAndOld(true);
      await r.scale(newRS!, r.d.spec?.replicas ?? 1);
      if (s.deploymentComplete(r.d, r.d.status ?? {})) await r.cleanup(old);
      return rolloutStatus(newRS);
    }
    const [newRS, old] = await r.newAndOld(true);
    if (!newRS) throw new Error('no new replica set');
    if (await reconcileNew(r, newRS, old)) return rolloutStatus(newRS);
    if (await reconcileOld(r, newRS, old)) return rolloutStatus(newRS);
    if (s.deploymentComplete(r.d, r.d.status ?? {})) await r.cleanup(old);
    return rolloutStatus(newRS);
  }

  return { sync };
}

export const deploymentController: ControllerDefinition = {
  name: 'deployment',
  aliases: ['deployment-controller'],
  component: 'deployment-controller',
  enabledByDefault: true,
  create: createDeploymentController,
};
