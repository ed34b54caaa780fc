/** core/v1 LimitRange: what the LimitRanger admission plugin defaults and enforces for the namespace's pods and claims. */
import { limitRangePrinter } from '../../tables/quota.ts';
import { validateLimitRange } from '../../validation/quota.ts';
import { defaultLimitRange } from '../../defaults/quota.ts';
import { defineKind, strategies } from '../info.ts';

export const limitRangeKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  resource: 'limitranges',
  namespaced: true,
  shortNames: ['limits'],
  categories: [],
  subresources: [],
  schema: 'core/v1.LimitRange',
  validate: validateLimitRange,
  defaults: defaultLimitRange,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: limitRangePrinter,
  protobuf: null,
});
