/**
 * node.k8s.io/v1 RuntimeClass: names a container runtime handler a pod may ask for with
 * spec.runtimeClassName. Kubeactor's kubelets have the handlers `process` and `sim`; the
 * RuntimeClasses of those names exist from the start.
 */
import { runtimeClassPrinter } from '../../tables/others.ts';
import { validateRuntimeClass } from '../../validation/runtimeclass.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const runtimeClassKind = defineKind({
  group: 'node.k8s.io',
  version: 'v1',
  kind: 'RuntimeClass',
  resource: 'runtimeclasses',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'node/v1.RuntimeClass',
  validate: validateRuntimeClass,
  defaults: noDefaults,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: runtimeClassPrinter,
  protobuf: null,
});
