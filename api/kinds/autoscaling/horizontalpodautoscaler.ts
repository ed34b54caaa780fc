/**
 * autoscaling/v2 HorizontalPodAutoscaler, also served as autoscaling/v1 (the version
 * `kubectl autoscale` of kubectl 1.32 sends) through the conversion in ./conversion.ts.
 * Its controller: actors/controllers/horizontal-pod-autoscaler/.
 */
import { CONDITIONS, mount } from '../../patch/meta.ts';
import { horizontalPodAutoscalerPrinter } from '../../tables/autoscaling.ts';
import { validateHorizontalPodAutoscaler } from '../../validation/autoscaling.ts';
import { defaultHorizontalPodAutoscaler } from '../../defaults/autoscaling.ts';
import { defineKind, strategies } from '../info.ts';
import { convertHpa } from './conversion.ts';

export const horizontalPodAutoscalerKind = defineKind({
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  resource: 'horizontalpodautoscalers',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: ['status'],
  schema: 'autoscaling/v2.HorizontalPodAutoscaler',
  validate: validateHorizontalPodAutoscaler,
  defaults: defaultHorizontalPodAutoscaler,
  strategy: strategies.controlled,
  patchMeta: mount('status', CONDITIONS),
  fieldLabels: [],
  printer: horizontalPodAutoscalerPrinter,
  protobuf: null,
  servedVersions: ['v2', 'v1'],
  conversion: { strategy: 'Functions', convert: convertHpa },
});
