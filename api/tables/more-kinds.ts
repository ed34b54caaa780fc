/**
 * Printers of PodTemplate, NetworkPolicy, CSIDriver and CSINode, as Kubernetes'
 * printPodTemplate, printNetworkPolicy, printCSIDriver and printCSINode.
 */
import { since } from './duration.ts';
import { arr, createdOf, formatLabelSelector, metaOf, nameOf, obj, selectorString, specOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';
import { templateCells } from './workloads.ts';

export const podTemplatePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Containers', 'string', 'Names of each container in the template.'),
    col('Images', 'string', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells: (o) => [nameOf(o), ...templateCells(o.template), selectorString(metaOf(obj(o.template)).labels)],
};

export const networkPolicyPrinter: Printer = {
  columns: [NAME_COLUMN, col('Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies.'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), formatLabelSelector(specOf(o).podSelector), since(createdOf(o), now)],
};

const bool = (v: unknown, dflt: boolean): boolean => (typeof v === 'boolean' ? v : dflt);

export const csiDriverPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
    col('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations.'),
    col('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report.'),
    col('TokenRequests', 'string', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.'),
    col('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.'),
    col('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const s = specOf(o);
    const modes = arr(s.volumeLifecycleModes).map(String).join(',') || '<none>';
    const tokens = s.tokenRequests === undefined ? '<unset>' : arr(s.tokenRequests).map((t) => str(obj(t).audience)).join(',');
    return [nameOf(o), bool(s.attachRequired, true), bool(s.podInfoOnMount, false), bool(s.storageCapacity, false), tokens, bool(s.requiresRepublish, false), modes, since(createdOf(o), now)];
  },
};

export const csiNodePrinter: Printer = {
  columns: [NAME_COLUMN, col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), arr(specOf(o).drivers).length, since(createdOf(o), now)],
};
