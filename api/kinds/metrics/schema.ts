/**
 * The OpenAPI shape of metrics.k8s.io/v1beta1 (k8s.io/metrics' types): no kubernetes-types
 * module carries them, so the kinds state it as a CRD would.
 */
const quantity = { type: 'string', 'x-kubernetes-int-or-string': false };
const resourceList = { type: 'object', additionalProperties: quantity, description: 'The memory usage is the memory working set.' };
const timestamp = { type: 'string', format: 'date-time', description: 'The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].' };
const window = { type: 'string' };

export const nodeMetricsSchema = {
  type: 'object',
  description: 'NodeMetrics sets resource usage metrics of a node.',
  properties: { timestamp, window, usage: resourceList },
  required: ['timestamp', 'window', 'usage'],
};

export const podMetricsSchema = {
  type: 'object',
  description: 'PodMetrics sets resource usage metrics of a pod.',
  properties: {
    timestamp,
    window,
    containers: {
      type: 'array',
      description: 'Metrics for all containers are collected within the same time window.',
      items: {
        type: 'object',
        description: 'ContainerMetrics sets resource usage metrics of a container.',
        properties: { name: { type: 'string', description: 'Container name corresponding to the one from pod.spec.containers.' }, usage: resourceList },
        required: ['name', 'usage'],
      },
      'x-kubernetes-list-type': 'atomic',
    },
  },
  required: ['timestamp', 'window', 'containers'],
};
