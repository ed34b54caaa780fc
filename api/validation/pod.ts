/**
 * Pod and pod-template validation (pkg/apis/core/validation ValidatePodSpec and friends).
 * Defaults are assumed applied first, as in the apiserver: a missing restartPolicy or
 * dnsPolicy is then a real error.
 */
import type { Pod, PodSpec, PodTemplateSpec, Toleration, Volume } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { child, duplicate, forbidden, index, invalid, notFound, notSupported, required, type FieldPath } from './errors.ts';
import { validateContainers } from './container.ts';
import { validateVolumeSource } from './volumes.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain } from './names.ts';
import { validatePodSpecUpdate } from './pod-update.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
];

function validateVolumes(volumes: Volume[] | undefined, path: FieldPath): { errs: StatusCause[]; names: Set<string> } {
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  for (const [i, v] of (volumes ?? []).entries()) {
    const ip = index(path, i);
    if (!v.name) errs.push(required(child(ip, 'name')));
    else {
      for (const m of isDNS1123Label(v.name)) errs.push(invalid(child(ip, 'name'), v.name, m));
      if (names.has(v.name)) errs.push(duplicate(child(ip, 'name'), v.name));
      names.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((s) => (v as unknown as Record<string, unknown>)[s] !== undefined);
    if (sources.length === 0) errs.push(required(ip, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(child(ip, sources[1] ?? ''), 'may not specify more than 1 volume type'));
    else errs.push(...validateVolumeSource(v, ip));
  }
  return { errs, names };
}

/** ValidateTolerations. */
export function validateTolerations(tolerations: Toleration[] | undefined, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const [i, t] of (tolerations ?? []).entries()) {
    const ip = index(path, i);
    if (t.key) for (const m of isQualifiedName(t.key)) errs.push(invalid(child(ip, 'key'), t.key, m));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(child(ip, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(child(ip, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case '': case 'Equal':
        for (const m of isValidLabelValue(t.value ?? '')) errs.push(invalid(child(ip, 'operator'), t.value ?? '', m));
        break;
      case 'Exists':
        if (t.value) errs.push(invalid(child(ip, 'operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(child(ip, 'operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(child(ip, 'effect'), t.effect, TAINT_EFFECTS));
  }
  return errs;
}

/** ValidatePodSpec: containers, volumes, policies, node and service-account names, tolerations. */
export function validatePodSpec(spec: PodSpec | undefined, path: FieldPath): StatusCause[] {
  if (!spec) return [required(path)];
  const { errs, names: volumeNames } = validateVolumes(spec.volumes, child(path, 'volumes'));
  const names = new Set<string>();
  errs.push(...validateContainers(spec.initContainers, child(path, 'initContainers'), names, false));
  errs.push(...validateContainers(spec.containers, child(path, 'containers'), names, true));
  for (const list of ['initContainers', 'containers'] as const) {
    for (const [i, c] of (spec[list] ?? []).entries()) {
      for (const [j, vm] of (c.volumeMounts ?? []).entries()) {
        if (vm.name && !volumeNames.has(vm.name)) errs.push(notFound(child(index(child(index(child(path, list), i), 'volumeMounts'), j), 'name'), vm.name));
      }
    }
  }
  if (!spec.restartPolicy) errs.push(required(child(path, 'restartPolicy')));
  else if (!RESTART_POLICIES.includes(spec.restartPolicy)) errs.push(notSupported(child(path, 'restartPolicy'), spec.restartPolicy, RESTART_POLICIES));
  if (!spec.dnsPolicy) errs.push(required(child(path, 'dnsPolicy')));
  else if (!DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(notSupported(child(path, 'dnsPolicy'), spec.dnsPolicy, DNS_POLICIES));
  if (spec.nodeName) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(invalid(child(path, 'nodeName'), spec.nodeName, m));
  if (spec.serviceAccountName) {
    for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(invalid(child(path, 'serviceAccountName'), spec.serviceAccountName, m));
  }
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  if (spec.activeDeadlineSeconds !== undefined && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647)) {
    errs.push(invalid(child(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  if (spec.hostname) for (const m of isDNS1123Label(spec.hostname)) errs.push(invalid(child(path, 'hostname'), spec.hostname, m));
  return errs;
}

/** ValidatePodTemplateSpec: the template's labels and annotations, then its pod spec. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: FieldPath): StatusCause[] {
  if (!t) return [required(path)];
  const errs = validateLabels(t.metadata?.labels, child(path, 'metadata', 'labels'));
  return [...errs, ...validatePodSpec(t.spec, child(path, 'spec'))];
}

/** The Pod kind's validate hook: create when `old` is absent, update otherwise. */
export function validatePod(pod: Pod, old?: Pod): StatusCause[] {
  if (!old) return [...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain), ...validatePodSpec(pod.spec, 'spec')];
  // The stored spec itself (a status write's; the apiserver shares what an update left unchanged) was validated when
  // it was written, and nothing of it changed: as upstream's ratcheting and its status strategy, not validated again.
  if (pod.spec === old.spec) return validateObjectMetaUpdate(pod.metadata, old.metadata);
  return [
    ...validateObjectMetaUpdate(pod.metadata, old.metadata),
    ...validatePodSpec(pod.spec, 'spec'),
    ...validatePodSpecUpdate(pod.spec, old.spec),
  ];
}
