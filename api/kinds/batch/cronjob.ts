/** batch/v1 CronJob (validation and defaulting in ./cronjob-rules.ts). */
import { OBJECT_META, POD_TEMPLATE, mount } from '../../patch/meta.ts';
import { cronJobPrinter } from '../../tables/workloads.ts';
import { defaultCronJob, validateCronJob } from './cronjob-rules.ts';
import { defineKind, strategies } from '../info.ts';

export const cronJobKind = defineKind({
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  resource: 'cronjobs',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: ['status'],
  schema: 'batch/v1.CronJob',
  validate: validateCronJob,
  defaults: defaultCronJob,
  strategy: strategies.controlled,
  patchMeta: mount('spec.jobTemplate', { ...mount('metadata', OBJECT_META), ...mount('spec', POD_TEMPLATE) }),
  fieldLabels: [],
  printer: cronJobPrinter,
  protobuf: 'CronJob',
});
