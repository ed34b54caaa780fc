/** apps/v1 Deployment. */
import { CONDITIONS, POD_TEMPLATE, RETAIN_KEYS, mount } from '../../patch/meta.ts';
import { deploymentPrinter } from '../../tables/workloads.ts';
import { validateDeployment } from '../../validation/apps.ts';
import { defaultDeployment } from '../../defaults/workloads.ts';
import { defineKind, strategies } from '../info.ts';

export const deploymentKind = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  resource: 'deployments',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  schema: 'apps/v1.Deployment',
  validate: validateDeployment,
  defaults: defaultDeployment,
  strategy: strategies.controlled,
  patchMeta: { ...mount('spec', POD_TEMPLATE), 'spec.strategy': RETAIN_KEYS, ...mount('status', CONDITIONS) },
  fieldLabels: [],
  printer: deploymentPrinter,
  protobuf: 'Deployment',
});
