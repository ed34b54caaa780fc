/**
 * Typed apiserver targets, derived from the kind registry: `targets.pods(ns, name)` is an
 * ApiTarget that also carries (in its type only) the object it names, so the client answers
 * a `Pod` without a cast. Nothing extra travels on the bus: the type tag is never set.
 */
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ConfigMap, Endpoints, Event, LimitRange, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicationController, ResourceQuota, Secret, Service, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { ApiTarget } from '../../bus/catalogue/api.ts';
import type { NodeMetrics, PodMetrics } from '../../api/kinds/metrics/types.ts';
import { kindByResource } from '../../api/kinds.ts';

declare const objectType: unique symbol;

/** An ApiTarget naming objects of type `T` (a type-only tag; the value is a plain ApiTarget). */
export type Target<T> = ApiTarget & { readonly [objectType]?: T };

/** Builds targets of one resource: `(namespace?, name?, subresource?)`; cluster-scoped kinds pass `undefined` as namespace. */
export interface ResourceTargets<T> {
  (namespace?: string, name?: string, subresource?: string): Target<T>;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

/**
 * The targets of `group/version/resource`. Fails fast when the kind registry does not know
 * the resource (a typo would otherwise be a NotFound at run time).
 */
export function resourceTargets<T>(group: string, version: string, resource: string): ResourceTargets<T> {
  if (!kindByResource(group, resource)) throw new Error(`no registered kind serves ${group || 'core'}/${version} ${resource}`);
  // Key order and the omission of absent parts are part of the bus bytes: keep them.
  const f = (namespace?: string, name?: string, subresource?: string): Target<T> => ({
    group,
    version,
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource ? { subresource } : {}),
  });
  return Object.assign(f, { group, version, resource });
}

/** The targets components name. */
export const targets = {
  pods: resourceTargets<Pod>('', 'v1', 'pods'),
  nodes: resourceTargets<Node>('', 'v1', 'nodes'),
  namespaces: resourceTargets<Namespace>('', 'v1', 'namespaces'),
  services: resourceTargets<Service>('', 'v1', 'services'),
  endpoints: resourceTargets<Endpoints>('', 'v1', 'endpoints'),
  serviceaccounts: resourceTargets<ServiceAccount>('', 'v1', 'serviceaccounts'),
  configmaps: resourceTargets<ConfigMap>('', 'v1', 'configmaps'),
  secrets: resourceTargets<Secret>('', 'v1', 'secrets'),
  events: resourceTargets<Event>('', 'v1', 'events'),
  resourcequotas: resourceTargets<ResourceQuota>('', 'v1', 'resourcequotas'),
  limitranges: resourceTargets<LimitRange>('', 'v1', 'limitranges'),
  replicasets: resourceTargets<ReplicaSet>('apps', 'v1', 'replicasets'),
  replicationcontrollers: resourceTargets<ReplicationController>('', 'v1', 'replicationcontrollers'),
  deployments: resourceTargets<Deployment>('apps', 'v1', 'deployments'),
  daemonsets: resourceTargets<DaemonSet>('apps', 'v1', 'daemonsets'),
  statefulsets: resourceTargets<StatefulSet>('apps', 'v1', 'statefulsets'),
  controllerrevisions: resourceTargets<ControllerRevision>('apps', 'v1', 'controllerrevisions'),
  jobs: resourceTargets<Job>('batch', 'v1', 'jobs'),
  cronjobs: resourceTargets<CronJob>('batch', 'v1', 'cronjobs'),
  endpointslices: resourceTargets<EndpointSlice>('discovery.k8s.io', 'v1', 'endpointslices'),
  leases: resourceTargets<Lease>('coordination.k8s.io', 'v1', 'leases'),
  poddisruptionbudgets: resourceTargets<PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets'),
  persistentvolumes: resourceTargets<PersistentVolume>('', 'v1', 'persistentvolumes'),
  persistentvolumeclaims: resourceTargets<PersistentVolumeClaim>('', 'v1', 'persistentvolumeclaims'),
  storageclasses: resourceTargets<StorageClass>('storage.k8s.io', 'v1', 'storageclasses'),
  ingresses: resourceTargets<Ingress>('networking.k8s.io', 'v1', 'ingresses'),
  ingressclasses: resourceTargets<IngressClass>('networking.k8s.io', 'v1', 'ingressclasses'),
  runtimeclasses: resourceTargets<RuntimeClass>('node.k8s.io', 'v1', 'runtimeclasses'),
  clusterroles: resourceTargets<ClusterRole>('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
  certificatesigningrequests: resourceTargets<CertificateSigningRequest>('certificates.k8s.io', 'v1', 'certificatesigningrequests'),
  /** Served by metrics-server, get and list only (the HorizontalPodAutoscaler reads pods' usage so). */
  podmetrics: resourceTargets<PodMetrics>('metrics.k8s.io', 'v1beta1', 'pods'),
  nodemetrics: resourceTargets<NodeMetrics>('metrics.k8s.io', 'v1beta1', 'nodes'),
};

/** "ns/name" or "name" → its parts. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
