/**
 * Validation of PersistentVolume, PersistentVolumeClaim (pkg/apis/core/validation) and
 * StorageClass (pkg/apis/storage/validation), with Kubernetes' messages and field paths.
 */
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { deepEqual, clone } from '../json.ts';
import { parseQuantity } from '../quantity.ts';
import { ACCESS_MODES } from '../volumes/claims.ts';
import { child, forbidden, immutable, invalid, key, notSupported, required, type FieldPath } from './errors.ts';
import { validateLabelSelector } from './label-selector.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain } from './names.ts';

const VOLUME_MODES = ['Block', 'Filesystem'];
const PV_RECLAIM = ['Delete', 'Recycle', 'Retain'];
const SC_RECLAIM = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
/** The PersistentVolumeSource members: a PV names exactly one. */
const PV_SOURCES = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi', 'cinder', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi'] as const;

function validateAccessModes(modes: readonly string[] | undefined, path: FieldPath, requiredDetail: string): StatusCause[] {
  if (!modes?.length) return [required(path, requiredDetail)];
  const errs: StatusCause[] = [];
  for (const m of modes) if (!(ACCESS_MODES as readonly string[]).includes(m)) errs.push(notSupported(path, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** ValidatePositiveQuantityValue and ValidateResourceQuantityValue of a storage size. */
function validateStorage(value: string | number, path: FieldPath): StatusCause[] {
  const q = parseQuantity(String(value));
  if (!q.ok) return [invalid(path, String(value), q.status.message)];
  return q.value.nano <= 0n ? [invalid(path, String(value), 'must be greater than zero')] : [];
}

function validateClassName(name: string | undefined, path: FieldPath): StatusCause[] {
  if (!name) return [];
  return isDNS1123Subdomain(name).map((m) => invalid(path, name, m));
}

/** ValidatePersistentVolumeClaimSpec. */
export function validateClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: FieldPath): StatusCause[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, child(path, 'accessModes'), 'at least 1 access mode is required');
  errs.push(...validateLabelSelector(s.selector, child(path, 'selector')));
  const storage = s.resources?.requests?.storage;
  const storagePath = key(child(path, 'resources'), 'storage');
  if (storage === undefined) errs.push(required(storagePath));
  else errs.push(...validateStorage(storage, storagePath));
  errs.push(...validateClassName(s.storageClassName, child(path, 'storageClassName')));
  if (s.volumeMode !== undefined && !VOLUME_MODES.includes(s.volumeMode)) errs.push(notSupported(child(path, 'volumeMode'), s.volumeMode, VOLUME_MODES));
  return errs;
}

/** The lines of a spec that changed, in the spirit of cmp.Diff (which Kubernetes appends to its message). */
function specDiff(old: Record<string, unknown>, cur: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(cur)])].sort()) {
    if (deepEqual(old[k], cur[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(old[k])},`);
    if (cur[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(cur[k])},`);
  }
  return lines.join('\n');
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim, old?: PersistentVolumeClaim): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(pvc.metadata, old.metadata) : validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateClaimSpec(pvc.spec, 'spec'));
  if (old) errs.push(...validateClaimUpdate(pvc, old));
  return errs;
}

/**
 * ValidatePersistentVolumeClaimUpdate: the spec is immutable, except that volumeName may be
 * set once, a class may be set where none was, and a bound claim's storage request may grow.
 */
function validateClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): StatusCause[] {
  const cur = clone(pvc.spec ?? {}) as Record<string, unknown> & PersistentVolumeClaimSpec;
  const was = clone(old.spec ?? {}) as Record<string, unknown> & PersistentVolumeClaimSpec;
  if (!was.volumeName) was.volumeName = cur.volumeName;
  if (was.storageClassName === undefined && cur.storageClassName !== undefined) was.storageClassName = cur.storageClassName;
  if (pvc.status?.phase === 'Bound' && cur.resources?.requests) cur.resources.requests = { ...cur.resources.requests, storage: was.resources?.requests?.storage ?? '' };
  for (const s of [cur, was]) for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
  const errs: StatusCause[] = [];
  if (!deepEqual(cur, was)) {
    errs.push(forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{\n${specDiff(was, cur)}\n  }\n`));
  }
  const newSize = parseQuantity(String(pvc.spec?.resources?.requests?.storage ?? '0'));
  const oldSize = parseQuantity(String(old.spec?.resources?.requests?.storage ?? '0'));
  if (newSize.ok && oldSize.ok && newSize.value.nano < oldSize.value.nano) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

function validateVolumeSpec(spec: PersistentVolumeSpec | undefined, path: FieldPath): StatusCause[] {
  const s = (spec ?? {}) as PersistentVolumeSpec & Record<string, unknown>;
  const errs = validateAccessModes(s.accessModes, child(path, 'accessModes'), '');
  const capacity = s.capacity ?? {};
  if (Object.keys(capacity).length === 0) errs.push(required(child(path, 'capacity')));
  else if (capacity.storage === undefined || Object.keys(capacity).length > 1) errs.push(notSupported(child(path, 'capacity'), capacity, ['storage']));
  else errs.push(...validateStorage(capacity.storage, key(child(path, 'capacity'), 'storage')));
  const policy = s.persistentVolumeReclaimPolicy;
  if (policy !== undefined && !PV_RECLAIM.includes(policy)) errs.push(notSupported(child(path, 'persistentVolumeReclaimPolicy'), policy, PV_RECLAIM));
  errs.push(...validateClassName(s.storageClassName, child(path, 'storageClassName')));
  if (s.volumeMode !== undefined && !VOLUME_MODES.includes(s.volumeMode)) errs.push(notSupported(child(path, 'volumeMode'), s.volumeMode, VOLUME_MODES));
  const sources = PV_SOURCES.filter((k) => s[k] !== undefined);
  if (sources.length === 0) errs.push(required(path, 'must specify a volume type'));
  for (const extra of sources.slice(1)) errs.push(forbidden(child(path, extra), 'may not specify more than 1 volume type'));
  if (s.hostPath) {
    if (!s.hostPath.path) errs.push(required(child(path, 'hostPath', 'path')));
    const t = s.hostPath.type;
    if (t !== undefined && !HOST_PATH_TYPES.includes(t)) errs.push(notSupported(child(path, 'hostPath', 'type'), t, HOST_PATH_TYPES));
  }
  if (s.local) {
    const p = child(path, 'local', 'path');
    if (!s.local.path) errs.push(required(p));
    else if (!s.local.path.startsWith('/')) errs.push(invalid(p, s.local.path, 'must be an absolute path'));
    else if (s.local.path.split('/').includes('..')) errs.push(invalid(p, s.local.path, "must not contain '..'"));
    if (!s.nodeAffinity?.required) errs.push(required(child(path, 'nodeAffinity'), 'Local volume requires node affinity'));
  }
  return errs;
}

export function validatePersistentVolume(pv: PersistentVolume, old?: PersistentVolume): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(pv.metadata, old.metadata) : validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain);
  errs.push(...validateVolumeSpec(pv.spec, 'spec'));
  if (!old) return errs;
  const source = (s: PersistentVolumeSpec | undefined): Record<string, unknown> => {
    const all = (s ?? {}) as Record<string, unknown>;
    return Object.fromEntries(PV_SOURCES.filter((k) => all[k] !== undefined).map((k) => [k, all[k]]));
  };
  const was = source(old.spec);
  const cur = source(pv.spec);
  if (!deepEqual(was, cur)) {
    errs.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n  core.PersistentVolumeSource{\n${specDiff(was, cur)}\n  }\n`));
  }
  errs.push(...immutable('volumeMode', pv.spec?.volumeMode ?? '', (pv.spec?.volumeMode ?? '') !== (old.spec?.volumeMode ?? '')));
  if (old.spec?.nodeAffinity) errs.push(...immutable('nodeAffinity', pv.spec?.nodeAffinity ?? null, !deepEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)));
  return errs;
}

export function validateStorageClass(sc: StorageClass, old?: StorageClass): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(sc.metadata, old.metadata) : validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  if (!sc.provisioner) errs.push(required('provisioner'));
  else for (const m of isQualifiedName(sc.provisioner.toLowerCase())) errs.push(invalid('provisioner', sc.provisioner, m));
  if (sc.reclaimPolicy !== undefined && !SC_RECLAIM.includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, SC_RECLAIM));
  if (!sc.volumeBindingMode) errs.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  if (!old) return errs;
  if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable('volumeBindingMode', sc.volumeBindingMode ?? '', sc.volumeBindingMode !== old.volumeBindingMode));
  return errs;
}
