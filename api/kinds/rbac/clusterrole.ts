/**
 * rbac.authorization.k8s.io/v1 ClusterRole. Stored as given; a PUT of a missing one creates it, as
 * Kubernetes' RBAC strategies allow (AllowCreateOnUpdate), so `kubectl auth reconcile` works.
 */
import { rolePrinter } from '../../tables/rbac.ts';
import { validateClusterRole } from '../../validation/rbac.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const clusterRoleKind = defineKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRole',
  resource: 'clusterroles',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'rbac/v1.ClusterRole',
  validate: validateClusterRole,
  defaults: noDefaults,
  strategy: strategies.createOnUpdate,
  patchMeta: {},
  fieldLabels: [],
  printer: rolePrinter,
  protobuf: 'ClusterRole',
});
