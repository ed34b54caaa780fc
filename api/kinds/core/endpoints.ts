/** core/v1 Endpoints. */
import { endpointsPrinter } from '../../tables/core.ts';
import { validateEndpoints } from '../../validation/core.ts';
import { defaultEndpoints } from '../../defaults/core.ts';
import { defineKind, strategies } from '../info.ts';

export const endpointsKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  resource: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  categories: [],
  subresources: [],
  schema: 'core/v1.Endpoints',
  validate: validateEndpoints,
  defaults: defaultEndpoints,
  strategy: strategies.createOnUpdate,
  patchMeta: {},
  fieldLabels: [],
  printer: endpointsPrinter,
  protobuf: null,
});
