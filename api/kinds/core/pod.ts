/** core/v1 Pod. */
import { CONDITIONS, POD_SPEC, merge, mount } from '../../patch/meta.ts';
import { podPrinter } from '../../tables/pods.ts';
import { validatePod } from '../../validation/pod.ts';
import { defaultPod } from '../../defaults/pod.ts';
import { defineKind, type GracefulDeleteOptions, type KubeObject } from '../info.ts';

/**
 * The pod strategy's CheckGracefulDelete: a pod bound to a node and not yet finished gets the
 * requested or its own terminationGracePeriodSeconds (30 s default) so the kubelet can stop
 * it; an unbound or finished pod goes at once.
 */
export function podGracePeriod(pod: KubeObject, options: GracefulDeleteOptions | undefined): number {
  const spec = pod.spec as { nodeName?: string; terminationGracePeriodSeconds?: unknown } | undefined;
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const own = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
  // Kubernetes turns a negative or 0 request into 1 s for a bound pod unless it is forced; 0 still means "now" here.
  return Math.max(0, options?.gracePeriodSeconds ?? own);
}

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
    checkGracefulDelete: podGracePeriod,
  },
  patchMeta: {
    ...mount('spec', POD_SPEC),
    ...mount('status', CONDITIONS),
    'status.podIPs': merge('ip'),
    'status.hostIPs': merge('ip'),
  },
  // Every kubelet watches the pods bound to it: its watch is filed under its node's name.
  indexFields: ['spec.nodeName'],
  fieldLabels: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  printer: podPrinter,
  protobuf: null,
});
