/**
 * rbac.authorization.k8s.io/v1 ClusterRoleBinding. Stored as given; a PUT of a missing one creates it, as
 * Kubernetes' RBAC strategies allow (AllowCreateOnUpdate), so `kubectl auth reconcile` works.
 */
import { roleBindingPrinter } from '../../tables/rbac.ts';
import { validateClusterRoleBinding } from '../../validation/rbac.ts';
import { defaultBinding } from '../../defaults/rbac.ts';
import { defineKind, strategies } from '../info.ts';

export const clusterRoleBindingKind = defineKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRoleBinding',
  resource: 'clusterrolebindings',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'rbac/v1.ClusterRoleBinding',
  validate: validateClusterRoleBinding,
  defaults: defaultBinding,
  strategy: strategies.createOnUpdate,
  patchMeta: {},
  fieldLabels: [],
  printer: roleBindingPrinter,
  protobuf: 'ClusterRoleBinding',
});
