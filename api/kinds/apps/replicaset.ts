/** apps/v1 ReplicaSet. */
import { CONDITIONS, POD_TEMPLATE, mount } from '../../patch/meta.ts';
import { replicaSetPrinter } from '../../tables/workloads.ts';
import { validateReplicaSet } from '../../validation/apps.ts';
import { defaultReplicaSet } from '../../defaults/workloads.ts';
import { defineKind, strategies } from '../info.ts';

export const replicaSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  schema: 'apps/v1.ReplicaSet',
  validate: validateReplicaSet,
  defaults: defaultReplicaSet,
  strategy: strategies.controlled,
  patchMeta: { ...mount('spec', POD_TEMPLATE), ...mount('status', CONDITIONS) },
  fieldLabels: ['status.replicas'],
  printer: replicaSetPrinter,
  protobuf: null,
});
