/** storage.k8s.io/v1 CSINode: the CSI drivers registered on a node (stored and served). */
import { merge } from '../../patch/meta.ts';
import { csiNodePrinter } from '../../tables/more-kinds.ts';
import { validateCSINode } from '../../validation/csi.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const csiNodeKind = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSINode',
  resource: 'csinodes',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'storage/v1.CSINode',
  validate: validateCSINode,
  defaults: noDefaults,
  strategy: strategies.plain,
  patchMeta: { 'spec.drivers': merge('name') },
  fieldLabels: [],
  printer: csiNodePrinter,
  protobuf: null,
});
