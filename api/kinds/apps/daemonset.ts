/** apps/v1 DaemonSet. */
import { CONDITIONS, POD_TEMPLATE, mount } from '../../patch/meta.ts';
import { daemonSetPrinter } from '../../tables/workloads.ts';
import { validateDaemonSet } from '../../validation/apps.ts';
import { defaultDaemonSet } from '../../defaults/workloads.ts';
import { defineKind, strategies } from '../info.ts';

export const daemonSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  resource: 'daemonsets',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: ['status'],
  schema: 'apps/v1.DaemonSet',
  validate: validateDaemonSet,
  defaults: defaultDaemonSet,
  strategy: strategies.controlled,
  patchMeta: { ...mount('spec', POD_TEMPLATE), ...mount('status', CONDITIONS) },
  fieldLabels: [],
  printer: daemonSetPrinter,
  protobuf: null,
});
