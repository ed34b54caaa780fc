/**
 * Printers for PersistentVolume, PersistentVolumeClaim and StorageClass, as Kubernetes'
 * printPersistentVolume, printPersistentVolumeClaim and printStorageClass.
 */
import type { JsonObject } from '../json.ts';
import { canonicalQuantity } from '../quantity.ts';
import { accessModesString, claimClass, isDefaultClass, volumeClass } from '../volumes/claims.ts';
import { since } from './duration.ts';
import { arr, createdOf, metaOf, nameOf, obj, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

/** A resource.Quantity's String(): canonical, "0" when absent. */
function quantity(x: unknown): string {
  if (typeof x !== 'string' || x === '') return '0';
  const c = canonicalQuantity(x);
  return c.ok ? c.value : x;
}

const phaseOf = (o: JsonObject): string => (metaOf(o).deletionTimestamp ? 'Terminating' : str(statusOf(o).phase));
const modes = (x: unknown): string => accessModesString(arr(x).map(String));
const unset = (x: unknown): string => str(x) || '<unset>';

export const persistentVolumePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity'),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    AGE_COLUMN,
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', 1),
  ],
  cells(o, now) {
    const spec = specOf(o);
    const ref = spec.claimRef === undefined ? undefined : obj(spec.claimRef);
    const claim = ref ? `${str(ref.namespace)}/${str(ref.name)}` : '';
    return [nameOf(o), quantity(obj(spec.capacity).storage), modes(spec.accessModes), str(spec.persistentVolumeReclaimPolicy), phaseOf(o), claim, volumeClass(o), unset(spec.volumeAttributesClassName), str(statusOf(o).reason), since(createdOf(o), now), unset(spec.volumeMode)];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', 1),
  ],
  cells(o, now) {
    const spec = specOf(o);
    const status = statusOf(o);
    const bound = str(spec.volumeName) !== '';
    return [nameOf(o), phaseOf(o), str(spec.volumeName), bound ? quantity(obj(status.capacity).storage) : '', bound ? modes(status.accessModes) : '', claimClass(o), unset(spec.volumeAttributesClassName), since(createdOf(o), now), unset(spec.volumeMode)];
  },
};

export const storageClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const name = isDefaultClass(o) ? `${nameOf(o)} (default)` : nameOf(o);
    return [name, str(o.provisioner), str(o.reclaimPolicy, 'Delete'), str(o.volumeBindingMode, 'Immediate'), o.allowVolumeExpansion === true, since(createdOf(o), now)];
  },
};
