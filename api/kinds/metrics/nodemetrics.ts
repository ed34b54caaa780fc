/** metrics.k8s.io/v1beta1 NodeMetrics: served by the metrics-server actor, never stored (get and list only, as metrics-server). */
import { nodeMetricsPrinter } from '../../tables/metrics.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';
import { nodeMetricsSchema } from './schema.ts';
import { METRICS_SERVER_ADDRESS } from './address.ts';

export const nodeMetricsKind = defineKind({
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  kind: 'NodeMetrics',
  resource: 'nodes',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: [],
  verbs: ['get', 'list'],
  schema: 'metrics/v1beta1.NodeMetrics',
  // Never written: nothing to validate or default.
  validate: () => [],
  defaults: noDefaults,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: nodeMetricsPrinter,
  protobuf: null,
  openapiSchema: nodeMetricsSchema,
  servedBy: METRICS_SERVER_ADDRESS,
});
