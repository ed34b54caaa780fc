import { Type, type Static } from '@sinclair/typebox';
import { request } from './define.ts';
import { ApiTarget, KubeObjectSchema, ListOptions } from './api.ts';

/**
 * The resource metrics pipeline, as upstream's kubelet resource metrics endpoint,
 * metrics-server and kube-aggregator have it:
 * - `kubelet.stats`: the metrics-server asks a kubelet (`kubelet.<node>`) for its node's and
 *   pods' usage now — cumulative CPU and the memory working set, per container (CRI's
 *   ListContainerStats; the kubelet's /metrics/resource).
 * - `metrics.get` / `metrics.list`: the apiserver hands a get or list of
 *   `metrics.k8s.io/v1beta1` nodes or pods to the metrics-server (address `metrics-server`),
 *   as kube-aggregator proxies to the APIService. The apiserver has authorized the request
 *   already; the reply is the NodeMetrics / PodMetrics object or list, or a Status.
 */

/** One container's usage at one instant. */
export const ContainerStats = Type.Object({
  name: Type.String(),
  /** Cumulative CPU time since the container started, in core-nanoseconds (CRI's usageCoreNanoSeconds). */
  cpuCoreNanoSeconds: Type.Number(),
  /** Working-set memory now, in bytes. */
  memoryWorkingSetBytes: Type.Number(),
  /** When the sample was taken: epoch ms on the kubelet's clock. */
  timestamp: Type.Number(),
});
export type ContainerStats = Static<typeof ContainerStats>;

/** The running containers of one pod. */
export const PodStats = Type.Object({
  namespace: Type.String(),
  name: Type.String(),
  uid: Type.String(),
  containers: Type.Array(ContainerStats),
});
export type PodStats = Static<typeof PodStats>;

/** A node's answer: its own usage (the sum of its pods' here) and each pod's. */
export const NodeStats = Type.Object({
  node: Type.String(),
  cpuCoreNanoSeconds: Type.Number(),
  memoryWorkingSetBytes: Type.Number(),
  timestamp: Type.Number(),
  pods: Type.Array(PodStats),
});
export type NodeStats = Static<typeof NodeStats>;

const read = { target: ApiTarget };

export const metricsMessages = {
  'kubelet.stats': request(Type.Object({}), NodeStats),
  'metrics.get': request(Type.Object(read), KubeObjectSchema),
  'metrics.list': request(Type.Object({ ...read, options: Type.Optional(ListOptions) }), KubeObjectSchema),
};
