/**
 * The horizontal pod autoscaler controller (pkg/controller/podautoscaler/horizontal.go): every
 * --horizontal-pod-autoscaler-sync-period (15 s, on the actor's clock) it reads each HPA's
 * target through the /scale subresource (so any kind with one: Deployments, ReplicaSets,
 * StatefulSets, ReplicationControllers, custom resources), computes the replicas its metrics
 * ask for (./metrics.ts), stabilizes and rate-limits them (machines/controllers/hpa/behavior.ts),
 * writes the new size to /scale and the HPA's status (currentReplicas, desiredReplicas,
 * currentMetrics, lastScaleTime, the AbleToScale / ScalingActive / ScalingLimited conditions),
 * with upstream's events (SuccessfulRescale, FailedGetScale, FailedGetResourceMetric,
 * FailedComputeMetricsReplicas, …).
 */
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import { keyOf } from '../../informer.ts';
import { NAMESPACE_INDEX } from '../../informers/index.ts';
import { allKinds, parseApiVersion } from '../../../api/kinds.ts';
import { matchesLabels, parseLabelSelector } from '../../../api/selectors/labels.ts';
import { rfc3339 } from '../../../api/time.ts';
import { DEFAULT_CALC_OPTIONS } from '../../../machines/controllers/hpa/replicas.ts';
import { emptyMemory, normalizeWithBehavior, normalizeWithoutBehavior, recordInitial, storeScaleEvent, type HpaMemory } from '../../../machines/controllers/hpa/behavior.ts';
import { setCondition, type ConditionType } from '../../../machines/controllers/hpa/conditions.ts';
import { resourceTargets, targets, type Target } from '../../client/index.ts';
import type { ApiTarget } from '../../../bus/catalogue/api.ts';
import type { Controller, ControllerContext, ControllerDefinition, SyncResult } from '../framework.ts';
import { parseDuration } from '../node-lifecycle/options.ts';
import { computeReplicasForMetrics } from './metrics.ts';

export const hpas = resourceTargets<HorizontalPodAutoscaler>('autoscaling', 'v2', 'horizontalpodautoscalers');

/** The controller's flags, named as kube-controller-manager's (durations as Go strings or seconds). */
export interface HpaOptions {
  syncPeriodMs: number;
  downscaleStabilizationMs: number;
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
}

export function hpaOptions(o: Readonly<Record<string, unknown>>): HpaOptions {
  const d = (flag: string, dflt: number) => (o[flag] === undefined ? dflt : parseDuration(o[flag], flag));
  const tolerance = o['horizontal-pod-autoscaler-tolerance'];
  return {
    syncPeriodMs: d('horizontal-pod-autoscaler-sync-period', 15_000),
    downscaleStabilizationMs: d('horizontal-pod-autoscaler-downscale-stabilization', 5 * 60_000),
    tolerance: tolerance === undefined ? DEFAULT_CALC_OPTIONS.tolerance : Number(tolerance),
    cpuInitializationPeriodMs: d('horizontal-pod-autoscaler-cpu-initialization-period', DEFAULT_CALC_OPTIONS.cpuInitializationPeriodMs),
    initialReadinessDelayMs: d('horizontal-pod-autoscaler-initial-readiness-delay', DEFAULT_CALC_OPTIONS.initialReadinessDelayMs),
  };
}

const CANNOT_GET_SCALE = 'the HPA controller was unable to get the target\'s current scale';

export function createHpaController(cc: ControllerContext): Controller {
  const opts = hpaOptions(cc.options);
  const memory = new Map<string, HpaMemory>();
  /** When each HPA is next due, and the generation it was last synced at: an early wake-up without a spec change waits for its turn. */
  const due = new Map<string, { at: number; generation: number }>();
  const hpaInformer = cc.informer({
    target: hpas(),
    handlers: {
      add: (h) => cc.enqueue(keyOf(h)),
      update: (old, cur) => {
        if (old.metadata?.generation !== cur.metadata?.generation) cc.enqueue(keyOf(cur));
      },
      delete: (h) => {
        memory.delete(keyOf(h));
        due.delete(keyOf(h));
      },
    },
  });
  const pods = cc.informer({ target: targets.pods() });

  return {
    async sync(key): Promise<SyncResult | void> {
      const hpa = hpaInformer.get(key);
      if (!hpa) return;
      const now = cc.actor.clock.now();
      const generation = hpa.metadata?.generation ?? 0;
      const last = due.get(key);
      if (last && now < last.at && last.generation === generation) return { requeueAfter: last.at - now };
      due.set(key, { at: now + opts.syncPeriodMs, generation });
      let mem = memory.get(key);
      if (!mem) memory.set(key, (mem = emptyMemory()));
      await reconcile(cc, hpa, mem, opts, now, (ns) => pods.byIndex(NAMESPACE_INDEX, ns));
      return { requeueAfter: opts.syncPeriodMs };
    },
  };
}

/** reconcileAutoscaler: one look at one HPA. */
async function reconcile(cc: ControllerContext, hpa: HorizontalPodAutoscaler, mem: HpaMemory, opts: HpaOptions, now: number, podsIn: (ns: string) => Pod[]): Promise<void> {
  const ns = hpa.metadata?.namespace ?? '';
  const ref = hpa.spec?.scaleTargetRef ?? { kind: '', name: '' };
  const stamp = rfc3339(now);
  let conditions: HorizontalPodAutoscalerCondition[] = [...(hpa.status?.conditions ?? [])];
  const set = (type: ConditionType, status: 'True' | 'False', reason: string, message: string) => {
    conditions = setCondition(conditions, type, status, reason, message, stamp);
  };
  const event = (type: 'Normal' | 'Warning', reason: string, message: string) => void cc.events.record(hpa, type, reason, message);
  const writeStatus = async (status: HorizontalPodAutoscalerStatus) => {
    const next = { ...status, conditions };
    if (JSON.stringify(next) === JSON.stringify(hpa.status ?? {})) return;
    const r = await cc.api.updateStatus(hpas(ns, hpa.metadata?.name), { ...hpa, status: next });
    if (!r.ok && r.status.reason !== 'NotFound') event('Warning', 'FailedUpdateStatus', r.status.message);
  };
  const prior: HorizontalPodAutoscalerStatus = { desiredReplicas: 0, ...hpa.status };
  const withCurrent = (current: number, metrics: MetricStatus[]): HorizontalPodAutoscalerStatus => ({ ...prior, currentReplicas: current, ...(metrics.length ? { currentMetrics: metrics } : {}) });

  // The target's /scale: its kind's resource from the registry (the RESTMapper's role).
  const gv = parseApiVersion(ref.apiVersion ?? '');
  // By group and kind, as RESTMappings does: any version of the group finds it.
  const kind = allKinds().find((k) => k.group === gv.group && k.kind === ref.kind);
  if (!kind || !kind.subresources.includes('scale')) {
    const err = kind ? `${kind.resource}.${kind.group} "${ref.name}" has no scale subresource` : `no matches for kind "${ref.kind}" in group "${gv.group}"`;
    event('Warning', 'FailedGetScale', err);
    set('AbleToScale', 'False', 'FailedGetScale', `${CANNOT_GET_SCALE}: ${err}`);
    return writeStatus(prior);
  }
  const scaleTarget = { group: kind.group, version: kind.version, resource: kind.resource, namespace: ns, name: ref.name, subresource: 'scale' } as ApiTarget as Target<Scale>;
  const got = await cc.api.get(scaleTarget);
  if (!got.ok) {
    event('Warning', 'FailedGetScale', got.status.message);
    set('AbleToScale', 'False', 'FailedGetScale', `${CANNOT_GET_SCALE}: ${got.status.message}`);
    return writeStatus(prior);
  }
  const scale = got.value;
  set('AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale');
  const current = scale.spec?.replicas ?? 0;
  recordInitial(mem, current, now);
  const min = hpa.spec?.minReplicas ?? 1;
  const max = hpa.spec?.maxReplicas ?? 0;
  let desired = 0;
  let reason = '';
  let statuses: MetricStatus[] = [];
  let rescale = true;

  if (current === 0 && min !== 0) {
    rescale = false;
    set('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
  } else if (current > max) {
    reason = 'Current number of replicas above Spec.MaxReplicas';
    desired = max;
  } else if (current < min) {
    reason = 'Current number of replicas below Spec.MinReplicas';
    desired = min;
  } else {
    const selectorText = scale.status?.selector ?? '';
    if (!selectorText) {
      event('Warning', 'SelectorRequired', 'selector is required');
      set('ScalingActive', 'False', 'InvalidSelector', 'the HPA target\'s scale is missing a selector');
      await writeStatus(withCurrent(current, []));
      event('Warning', 'FailedComputeMetricsReplicas', 'selector is required');
      return;
    }
    const selector = parseLabelSelector(selectorText);
    if (!selector.ok) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${selector.status.message}`;
      event('Warning', 'InvalidSelector', msg);
      set('ScalingActive', 'False', 'InvalidSelector', msg);
      await writeStatus(withCurrent(current, []));
      event('Warning', 'FailedComputeMetricsReplicas', msg);
      return;
    }
    const pods = podsIn(ns).filter((p) => matchesLabels(selector.value, p.metadata?.labels));
    const calc = { tolerance: opts.tolerance, cpuInitializationPeriodMs: opts.cpuInitializationPeriodMs, initialReadinessDelayMs: opts.initialReadinessDelayMs, now };
    const m = await computeReplicasForMetrics(cc.api, hpa, current, selectorText, pods, calc);
    for (const f of m.events) event('Warning', f.reason, f.error);
    statuses = m.statuses;
    if (m.replicas === -1) {
      if (m.failure) set('ScalingActive', 'False', m.failure.reason, `the HPA was unable to compute the replica count: ${m.failure.error}`);
      await writeStatus(withCurrent(current, statuses));
      event('Warning', 'FailedComputeMetricsReplicas', m.error ?? '');
      return;
    }
    set('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${m.metric}`);
    let metric = '';
    if (m.replicas > desired) {
      desired = m.replicas;
      metric = m.metric;
    }
    if (desired > current) reason = `${metric} above target`;
    if (desired < current) reason = 'All metrics below target';
    const n = hpa.spec?.behavior
      ? normalizeWithBehavior(mem, hpa.spec.behavior, current, desired, min, max, now, opts.downscaleStabilizationMs)
      : normalizeWithoutBehavior(mem, current, desired, min, max, now, opts.downscaleStabilizationMs);
    set('AbleToScale', 'True', n.ableToScale.reason, n.ableToScale.message);
    set('ScalingLimited', n.limited.status, n.limited.reason, n.limited.message);
    desired = n.replicas;
    rescale = desired !== current;
  }

  const status: HorizontalPodAutoscalerStatus = { ...withCurrent(current, statuses), desiredReplicas: current };
  if (rescale) {
    const w = await cc.api.update(scaleTarget, { ...scale, spec: { ...scale.spec, replicas: desired } });
    if (!w.ok) {
      event('Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${w.status.message}`);
      set('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${w.status.message}`);
      return writeStatus(withCurrent(current, statuses));
    }
    set('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
    event('Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
    storeScaleEvent(mem, hpa.spec?.behavior, current, desired, now);
    status.desiredReplicas = desired;
    status.lastScaleTime = stamp;
  }
  // setStatus: the metrics of this sync only (none when the metrics were not computed).
  if (!statuses.length) delete status.currentMetrics;
  await writeStatus(status);
}

export const horizontalPodAutoscalerController: ControllerDefinition = {
  name: 'horizontalpodautoscaling',
  aliases: ['horizontal-pod-autoscaler-controller'],
  component: 'horizontal-pod-autoscaler',
  enabledByDefault: true,
  create: createHpaController,
};
