/** core/v1 Node: cluster-scoped; its kubelet writes the status from the start. */
import { CONDITIONS, merge, mount } from '../../patch/meta.ts';
import { nodePrinter } from '../../tables/core.ts';
import { validateNode } from '../../validation/core.ts';
import { defaultNode } from '../../defaults/core.ts';
import { defineKind, strategies } from '../info.ts';

export const nodeKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Node',
  resource: 'nodes',
  namespaced: false,
  shortNames: ['no'],
  categories: [],
  subresources: ['status'],
  schema: 'core/v1.Node',
  validate: validateNode,
  defaults: defaultNode,
  strategy: strategies.ownerStatus,
  patchMeta: { 'spec.podCIDRs': merge(), ...mount('status', CONDITIONS), 'status.addresses': merge('type') },
  fieldLabels: ['spec.unschedulable'],
  printer: nodePrinter,
  protobuf: null,
});
