/**
 * rbac.authorization.k8s.io/v1 Role. Stored as given; a PUT of a missing one creates it, as
 * Kubernetes' RBAC strategies allow (AllowCreateOnUpdate), so `kubectl auth reconcile` works.
 */
import { rolePrinter } from '../../tables/rbac.ts';
import { validateRole } from '../../validation/rbac.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const roleKind = defineKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'Role',
  resource: 'roles',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'rbac/v1.Role',
  validate: validateRole,
  defaults: noDefaults,
  strategy: strategies.createOnUpdate,
  patchMeta: {},
  fieldLabels: [],
  printer: rolePrinter,
  protobuf: 'Role',
});
