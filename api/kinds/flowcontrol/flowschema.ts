/**
 * flowcontrol.apiserver.k8s.io/v1 FlowSchema: cluster-scoped, with a generation and a status
 * (the Dangling condition) the apiserver's flow-control configuration writes. Lists print in
 * matching order (precedence, then name), as kubectl shows them.
 */
import { flowSchemaPrinter } from '../../tables/flowcontrol.ts';
import { validateFlowSchema } from '../../validation/flowcontrol.ts';
import { defaultFlowSchema } from '../../defaults/flowcontrol.ts';
import { defineKind, strategies } from '../info.ts';

export const flowSchemaKind = defineKind({
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  kind: 'FlowSchema',
  resource: 'flowschemas',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: ['status'],
  schema: 'flowcontrol/v1.FlowSchema',
  validate: validateFlowSchema,
  defaults: defaultFlowSchema,
  strategy: strategies.controlled,
  patchMeta: {},
  fieldLabels: [],
  printer: flowSchemaPrinter,
  protobuf: null,
});
