/** core/v1 Secret. */
import { secretPrinter } from '../../tables/core.ts';
import { validateSecret } from '../../validation/core.ts';
import { defaultSecret } from '../../defaults/core.ts';
import { defineKind, strategies } from '../info.ts';

export const secretKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Secret',
  resource: 'secrets',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'core/v1.Secret',
  validate: validateSecret,
  defaults: defaultSecret,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: ['type'],
  printer: secretPrinter,
  protobuf: 'Secret',
});
