/** batch/v1 Job. */
import { CONDITIONS, POD_TEMPLATE, mount } from '../../patch/meta.ts';
import { jobPrinter } from '../../tables/workloads.ts';
import { validateJob } from '../../validation/job.ts';
import { defaultJob } from '../../defaults/workloads.ts';
import { defineKind, strategies } from '../info.ts';

export const jobKind = defineKind({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  resource: 'jobs',
  namespaced: true,
  shortNames: [],
  categories: ['all'],
  subresources: ['status'],
  schema: 'batch/v1.Job',
  validate: validateJob,
  defaults: (j) => defaultJob(j),
  strategy: strategies.controlled,
  patchMeta: { ...mount('spec', POD_TEMPLATE), ...mount('status', CONDITIONS) },
  fieldLabels: ['status.successful'],
  printer: jobPrinter,
  protobuf: 'Job',
});
