/** apps/v1 validation: Deployment, ReplicaSet, DaemonSet, StatefulSet (pkg/apis/apps/validation). */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { forbidden, immutable, invalid, nonNegative, notSupported } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validateClaimSpec } from './storage.ts';
import { isZero, selectorValue, validateIntOrPercent, validateSelectorAndTemplate } from './workload.ts';

function meta(obj: { metadata?: Deployment['metadata'] }, old?: { metadata?: Deployment['metadata'] }): StatusCause[] {
  return old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
}

function selectorImmutable(sel: LabelSelector | undefined, oldSel: LabelSelector | undefined): StatusCause[] {
  return immutable('spec.selector', selectorValue(sel), !deepEqual(sel, oldSel));
}

export function validateDeployment(d: Deployment, old?: Deployment): StatusCause[] {
  const s = d.spec;
  const errs = meta(d, old);
  errs.push(...nonNegative('spec.replicas', s?.replicas));
  errs.push(...validateSelectorAndTemplate(s?.selector, s?.template, 'spec', 'deployment'));
  const st = s?.strategy;
  if (st?.type && st.type !== 'Recreate' && st.type !== 'RollingUpdate') {
    errs.push(notSupported('spec.strategy.type', st.type, ['Recreate', 'RollingUpdate']));
  }
  if (st?.type === 'Recreate' && st.rollingUpdate) {
    errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  }
  const ru = st?.rollingUpdate;
  if (ru) {
    errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
    errs.push(...validateIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
    if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
      errs.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  errs.push(...nonNegative('spec.revisionHistoryLimit', s?.revisionHistoryLimit));
  errs.push(...nonNegative('spec.minReadySeconds', s?.minReadySeconds));
  errs.push(...nonNegative('spec.progressDeadlineSeconds', s?.progressDeadlineSeconds));
  if (s?.progressDeadlineSeconds !== undefined && s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
    errs.push(invalid('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  if (old) errs.push(...selectorImmutable(s?.selector, old.spec?.selector));
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet, old?: ReplicaSet): StatusCause[] {
  const s = rs.spec;
  const errs = meta(rs, old);
  errs.push(...nonNegative('spec.replicas', s?.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', s?.minReadySeconds));
  errs.push(...validateSelectorAndTemplate(s?.selector, s?.template, 'spec', 'deployment'));
  if (old) errs.push(...selectorImmutable(s?.selector, old.spec?.selector));
  return errs;
}

export function validateDaemonSet(ds: DaemonSet, old?: DaemonSet): StatusCause[] {
  const s = ds.spec;
  const errs = meta(ds, old);
  errs.push(...validateSelectorAndTemplate(s?.selector, s?.template, 'spec', 'daemonset'));
  errs.push(...nonNegative('spec.minReadySeconds', s?.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', s?.revisionHistoryLimit));
  const us = s?.updateStrategy;
  if (us?.type && us.type !== 'OnDelete' && us.type !== 'RollingUpdate') {
    errs.push(notSupported('spec.updateStrategy.type', us.type, ['OnDelete', 'RollingUpdate']));
  }
  const ru = us?.rollingUpdate;
  if (ru) {
    errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
    errs.push(...validateIntOrPercent(ru.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'));
    if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
      errs.push(invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  if (old) errs.push(...selectorImmutable(s?.selector, old.spec?.selector));
  return errs;
}

/** The template as its pods get it: a volume per claim template, so volumeMounts may name them. */
function withClaimTemplateVolumes(s: StatefulSet['spec']): PodTemplateSpec | undefined {
  const t = s?.template;
  const claims = s?.volumeClaimTemplates ?? [];
  if (!t || claims.length === 0) return t;
  const have = new Set((t.spec?.volumes ?? []).map((v) => v.name));
  const extra = claims.filter((c) => c.metadata?.name && !have.has(c.metadata.name)).map((c) => ({ name: c.metadata!.name!, persistentVolumeClaim: { claimName: c.metadata!.name! } }));
  return { ...t, spec: { containers: [], ...t.spec, volumes: [...(t.spec?.volumes ?? []), ...extra] } };
}

/** The StatefulSet spec fields an update may change. */
const STS_UPDATABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] as const;

export function validateStatefulSet(sts: StatefulSet, old?: StatefulSet): StatusCause[] {
  const s = sts.spec;
  const errs = meta(sts, old);
  errs.push(...nonNegative('spec.replicas', s?.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', s?.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', s?.revisionHistoryLimit));
  errs.push(...validateSelectorAndTemplate(s?.selector, withClaimTemplateVolumes(s), 'spec', 'statefulset'));
  for (const [i, t] of (s?.volumeClaimTemplates ?? []).entries()) errs.push(...validateClaimSpec(t.spec, `spec.volumeClaimTemplates[${i}].spec`));
  const policy = s?.persistentVolumeClaimRetentionPolicy;
  for (const f of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy?.[f];
    if (v !== undefined && v !== 'Retain' && v !== 'Delete') errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
  }
  const pmp = s?.podManagementPolicy;
  if (pmp && pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(notSupported('spec.podManagementPolicy', pmp, ['OrderedReady', 'Parallel']));
  const ut = s?.updateStrategy?.type;
  if (ut && ut !== 'OnDelete' && ut !== 'RollingUpdate') errs.push(notSupported('spec.updateStrategy.type', ut, ['OnDelete', 'RollingUpdate']));
  if (ut === 'OnDelete' && s?.updateStrategy?.rollingUpdate) {
    errs.push(invalid('spec.updateStrategy.rollingUpdate', '', "only allowed for updateStrategy 'RollingUpdate'"));
  }
  errs.push(...nonNegative('spec.updateStrategy.rollingUpdate.partition', s?.updateStrategy?.rollingUpdate?.partition));
  if (old) {
    const strip = (x: StatefulSet['spec']): Record<string, unknown> => {
      const c: Record<string, unknown> = { ...(x ?? {}) };
      for (const f of STS_UPDATABLE) delete c[f];
      return c;
    };
    if (!deepEqual(strip(s), strip(old.spec))) {
      errs.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
  return errs;
}
