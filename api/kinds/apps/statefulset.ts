/** apps/v1 StatefulSet. */
import { CONDITIONS, POD_TEMPLATE, mount } from '../../patch/meta.ts';
import { statefulSetPrinter } from '../../tables/workloads.ts';
import { validateStatefulSet } from '../../validation/apps.ts';
import { defaultStatefulSet } from '../../defaults/workloads.ts';
import { defineKind, strategies } from '../info.ts';

export const statefulSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  resource: 'statefulsets',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  schema: 'apps/v1.StatefulSet',
  validate: validateStatefulSet,
  defaults: defaultStatefulSet,
  strategy: strategies.controlled,
  patchMeta: { ...mount('spec', POD_TEMPLATE), ...mount('status', CONDITIONS) },
  fieldLabels: [],
  printer: statefulSetPrinter,
  protobuf: null,
});
