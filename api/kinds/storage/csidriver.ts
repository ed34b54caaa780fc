/** storage.k8s.io/v1 CSIDriver: how a CSI driver wants its volumes handled (stored and served; no driver runs here). */
import { csiDriverPrinter } from '../../tables/more-kinds.ts';
import { defaultCSIDriver, validateCSIDriver } from '../../validation/csi.ts';
import { defineKind, strategies } from '../info.ts';

export const csiDriverKind = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIDriver',
  resource: 'csidrivers',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'storage/v1.CSIDriver',
  validate: validateCSIDriver,
  defaults: defaultCSIDriver,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: csiDriverPrinter,
  protobuf: null,
});
