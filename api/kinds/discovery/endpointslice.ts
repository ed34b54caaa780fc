/** discovery.k8s.io/v1 EndpointSlice. */
import { endpointSlicePrinter } from '../../tables/others.ts';
import { validateEndpointSlice } from '../../validation/misc.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const endpointSliceKind = defineKind({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  resource: 'endpointslices',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'discovery/v1.EndpointSlice',
  validate: validateEndpointSlice,
  defaults: noDefaults,
  strategy: strategies.generationOnly,
  patchMeta: {},
  fieldLabels: [],
  printer: endpointSlicePrinter,
  protobuf: null,
});
