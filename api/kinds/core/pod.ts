/** core/v1 Pod. */
import { CONDITIONS, POD_SPEC, merge, mount } from '../../patch/meta.ts';
import { podPrinter } from '../../tables/pods.ts';
import { validatePod } from '../../validation/pod.ts';
import { defaultPod } from '../../defaults/pod.ts';
import { defineKind, type KubeObject } from '../info.ts';

export const podKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Pod',
  resource: 'pods',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'binding', 'log', 'eviction', 'exec', 'attach', 'portforward'],
  schema: 'core/v1.Pod',
  validate: validatePod,
  defaults: defaultPod,
  strategy: {
    tracksGeneration: false,
    allowCreateOnUpdate: false,
    prepareForCreate: (o: KubeObject): KubeObject => {
      // A new pod is Pending; admission may already have set its QoS class.
      const qos = (o.status as { qosClass?: string } | undefined)?.qosClass;
      return { ...o, status: { phase: 'Pending', ...(qos ? { qosClass: qos } : {}) } };
    },
  },
  patchMeta: {
    ...mount('spec', POD_SPEC),
    ...mount('status', CONDITIONS),
    'status.podIPs': merge('ip'),
    'status.hostIPs': merge('ip'),
  },
  fieldLabels: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  printer: podPrinter,
  protobuf: null,
});
