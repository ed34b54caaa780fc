/** coordination.k8s.io/v1 Lease: node heartbeats and leader election. */
import { leasePrinter } from '../../tables/others.ts';
import { validateLease } from '../../validation/misc.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const leaseKind = defineKind({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  resource: 'leases',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'coordination/v1.Lease',
  validate: validateLease,
  defaults: noDefaults,
  strategy: strategies.createOnUpdate,
  patchMeta: {},
  fieldLabels: [],
  printer: leasePrinter,
  protobuf: null,
});
