/**
 * rbac.authorization.k8s.io/v1 RoleBinding. Stored as given; a PUT of a missing one creates it, as
 * Kubernetes' RBAC strategies allow (AllowCreateOnUpdate), so `kubectl auth reconcile` works.
 */
import { roleBindingPrinter } from '../../tables/rbac.ts';
import { validateRoleBinding } from '../../validation/rbac.ts';
import { defaultBinding } from '../../defaults/rbac.ts';
import { defineKind, strategies } from '../info.ts';

export const roleBindingKind = defineKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'RoleBinding',
  resource: 'rolebindings',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'rbac/v1.RoleBinding',
  validate: validateRoleBinding,
  defaults: defaultBinding,
  strategy: strategies.createOnUpdate,
  patchMeta: {},
  fieldLabels: [],
  printer: roleBindingPrinter,
  protobuf: 'RoleBinding',
});
