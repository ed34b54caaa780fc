/**
 * metrics.k8s.io/v1beta1's objects (k8s.io/metrics/pkg/apis/metrics/v1beta1), which no
 * kubernetes-types module carries: what the typed client answers for `targets.podmetrics`
 * and `targets.nodemetrics`. Quantities are canonical strings ("250m", "64Mi").
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** cpu and memory (the working set) in use. */
export type UsageList = Record<string, string>;

export interface NodeMetrics {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  /** When the newer of the two samples was taken (RFC 3339). */
  timestamp: string;
  /** The time between the two samples the CPU rate was taken over (a Go duration, "15s"). */
  window: string;
  usage: UsageList;
}

export interface ContainerMetrics {
  name: string;
  usage: UsageList;
}

export interface PodMetrics {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}
