/** metrics.k8s.io/v1beta1 PodMetrics: served by the metrics-server actor, never stored (get and list only, as metrics-server). */
import { podMetricsPrinter } from '../../tables/metrics.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';
import { podMetricsSchema } from './schema.ts';
import { METRICS_SERVER_ADDRESS } from './address.ts';

export const podMetricsKind = defineKind({
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  kind: 'PodMetrics',
  resource: 'pods',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  verbs: ['get', 'list'],
  schema: 'metrics/v1beta1.PodMetrics',
  // Never written: nothing to validate or default.
  validate: () => [],
  defaults: noDefaults,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: podMetricsPrinter,
  protobuf: null,
  openapiSchema: podMetricsSchema,
  servedBy: METRICS_SERVER_ADDRESS,
});
