/**
 * Validation and defaulting of storage.k8s.io/v1 CSIDriver and CSINode (pkg/apis/storage
 * validation and v1 defaults). No CSI driver runs here; the objects are stored and served for
 * manifests and tools that read them.
 */
import type { CSIDriver, CSINode } from 'kubernetes-types/storage/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { clone } from '../json.ts';
import { child, duplicate, immutable, index, invalid, notSupported, required, tooLong, type FieldPath } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from './names.ts';

const FS_GROUP_POLICIES = ['File', 'None', 'ReadWriteOnceWithFSType'] as const;
const LIFECYCLE_MODES = ['Ephemeral', 'Persistent'] as const;
/** csiDriverNameMaxLength and csiNodeIDMaxLength. */
const DRIVER_NAME_MAX = 63;
const NODE_ID_MAX = 192;

/** ValidateCSIDriverName: required, at most 63 characters, a DNS subdomain. */
function validateDriverName(name: string | undefined, path: FieldPath): StatusCause[] {
  if (!name) return [required(path)];
  if (name.length > DRIVER_NAME_MAX) return [tooLong(path, DRIVER_NAME_MAX)];
  return isDNS1123Subdomain(name.toLowerCase()).map((msg) => invalid(path, name, msg));
}

export function validateCSIDriver(d: CSIDriver, old?: CSIDriver): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(d.metadata, old.metadata) : validateObjectMeta(d.metadata, false, nameIsDNSSubdomain);
  if (!old) errs.push(...validateDriverName(d.metadata?.name, 'name'));
  const s = d.spec ?? {};
  if (s.attachRequired === undefined) errs.push(required('spec.attachRequired'));
  if (s.podInfoOnMount === undefined) errs.push(required('spec.podInfoOnMount'));
  if (s.fsGroupPolicy !== undefined && !(FS_GROUP_POLICIES as readonly string[]).includes(s.fsGroupPolicy)) errs.push(notSupported('spec.fsGroupPolicy', s.fsGroupPolicy, FS_GROUP_POLICIES));
  (s.volumeLifecycleModes ?? []).forEach((m, i) => {
    if (!(LIFECYCLE_MODES as readonly string[]).includes(m)) errs.push(notSupported(index('spec.volumeLifecycleModes', i), m, LIFECYCLE_MODES));
  });
  const audiences = new Set<string>();
  (s.tokenRequests ?? []).forEach((t, i) => {
    const path = child(index('spec.tokenRequests', i), 'audience');
    if (audiences.has(t.audience)) errs.push(duplicate(path, t.audience));
    audiences.add(t.audience);
    if (t.expirationSeconds !== undefined && t.expirationSeconds < 600) errs.push(invalid(child(index('spec.tokenRequests', i), 'expirationSeconds'), t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
  });
  if (old) errs.push(...immutable('spec.attachRequired', s.attachRequired, s.attachRequired !== old.spec?.attachRequired));
  return errs;
}

/** SetDefaults_CSIDriver. */
export function defaultCSIDriver(d: CSIDriver): CSIDriver {
  const o = clone(d);
  const s = (o.spec ??= {});
  s.attachRequired ??= true;
  s.podInfoOnMount ??= false;
  s.storageCapacity ??= false;
  s.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
  if (!s.volumeLifecycleModes?.length) s.volumeLifecycleModes = ['Persistent'];
  s.requiresRepublish ??= false;
  return o;
}

export function validateCSINode(n: CSINode, old?: CSINode): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(n.metadata, old.metadata) : validateObjectMeta(n.metadata, false, nameIsDNSSubdomain);
  const names = new Set<string>();
  (n.spec?.drivers ?? []).forEach((d, i) => {
    const path = index('spec.drivers', i);
    errs.push(...validateDriverName(d.name, child(path, 'name')));
    if (names.has(d.name)) errs.push(duplicate(child(path, 'name'), d.name));
    names.add(d.name);
    if (!d.nodeID) errs.push(required(child(path, 'nodeID'), 'nodeID of the driver must be provided'));
    else if (d.nodeID.length > NODE_ID_MAX) errs.push(tooLong(child(path, 'nodeID'), NODE_ID_MAX));
    const count = d.allocatable?.count;
    if (count !== undefined && count < 0) errs.push(invalid(child(path, 'allocatable', 'count'), count, 'must be greater than or equal to 0'));
  });
  return errs;
}
