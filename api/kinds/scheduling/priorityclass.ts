/**
 * scheduling.k8s.io/v1 PriorityClass: a name for a pod priority. The Priority admission
 * plugin (actors/apiserver/priority.ts) resolves a pod's spec.priorityClassName to
 * spec.priority and spec.preemptionPolicy; the scheduler orders its queue and preempts by
 * them. system-node-critical and system-cluster-critical exist from the start.
 */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { priorityClassPrinter } from '../../tables/scheduling.ts';
import { validatePriorityClass } from '../../validation/scheduling.ts';
import { clone } from '../../json.ts';
import { defineKind, strategies } from '../info.ts';

/** SetDefaults_PriorityClass: preemptionPolicy PreemptLowerPriority. */
export function defaultPriorityClass(pc: PriorityClass): PriorityClass {
  const o = clone(pc);
  o.preemptionPolicy ??= 'PreemptLowerPriority';
  return o;
}

export const priorityClassKind = defineKind({
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  resource: 'priorityclasses',
  namespaced: false,
  shortNames: ['pc'],
  categories: [],
  subresources: [],
  schema: 'scheduling/v1.PriorityClass',
  validate: validatePriorityClass,
  defaults: defaultPriorityClass,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: priorityClassPrinter,
  protobuf: 'PriorityClass',
});
