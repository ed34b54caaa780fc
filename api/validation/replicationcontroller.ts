/**
 * Validation and defaulting of core/v1 ReplicationController (ValidateReplicationController,
 * SetDefaults_ReplicationController): a ReplicaSet whose selector is a plain label map.
 */
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { clone } from '../json.ts';
import { defaultPodSpecInPlace } from '../defaults/pod.ts';
import { nonNegative, required } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validateSelectorAndTemplate } from './workload.ts';

export function validateReplicationController(rc: ReplicationController, old?: ReplicationController): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(rc.metadata, old.metadata) : validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain);
  const s = rc.spec;
  const selector = s?.selector ?? {};
  if (Object.keys(selector).length === 0) {
    errs.push(required('spec.selector'));
    if (!s?.template) errs.push(required('spec.template'));
  } else {
    // The same selector/template checks as a ReplicaSet's, with the map as matchLabels.
    errs.push(...validateSelectorAndTemplate({ matchLabels: selector }, s?.template, 'spec', 'replicationcontroller'));
  }
  errs.push(...nonNegative('spec.replicas', s?.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', s?.minReadySeconds));
  return errs;
}

/** SetDefaults_ReplicationController: selector and labels from the template's labels, one replica. */
export function defaultReplicationController(rc: ReplicationController): ReplicationController {
  const o = clone(rc);
  const s = (o.spec ??= {});
  const labels = s.template?.metadata?.labels;
  if (labels) {
    if (Object.keys(s.selector ?? {}).length === 0) s.selector = { ...labels };
    if (Object.keys(o.metadata?.labels ?? {}).length === 0) o.metadata = { ...o.metadata, labels: { ...labels } };
  }
  s.replicas ??= 1;
  if (s.template?.spec) defaultPodSpecInPlace(s.template.spec);
  return o;
}
