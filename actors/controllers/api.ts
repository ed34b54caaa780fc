/**
 * The apiserver as controllers use it: typed requests answering Results, plus the resource
 * targets controllers name most. Errors stay data; `orThrow` turns a failure into a
 * StatusError so that a sync can simply throw to be retried.
 */
import type { ApiTarget, DeleteOptions, KubeObject, PatchType, WriteReply } from '../../bus/catalogue/api.ts';
import type { Port } from '../../bus/bus.ts';
import { APISERVER_ADDRESS } from '../../bus/permissions.ts';
import { StatusError, type Result, type Status } from '../../base/status.ts';

export const isNotFound = (s: Status): boolean => s.code === 404;
export const isConflict = (s: Status): boolean => s.code === 409 && s.reason === 'Conflict';
export const isAlreadyExists = (s: Status): boolean => s.code === 409 && s.reason === 'AlreadyExists';

/** The value, or throws StatusError (the reconcile chart retries the key). */
export function orThrow<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new StatusError(r.status);
}

/** Targets by group/version/resource; `namespace`/`name` optional. */
export const gvr = (group: string, version: string, resource: string) =>
  (namespace?: string, name?: string, subresource?: string): ApiTarget => ({
    group,
    version,
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  });

export const targets = {
  pods: gvr('', 'v1', 'pods'),
  replicasets: gvr('apps', 'v1', 'replicasets'),
  deployments: gvr('apps', 'v1', 'deployments'),
  daemonsets: gvr('apps', 'v1', 'daemonsets'),
  statefulsets: gvr('apps', 'v1', 'statefulsets'),
  controllerrevisions: gvr('apps', 'v1', 'controllerrevisions'),
  jobs: gvr('batch', 'v1', 'jobs'),
  cronjobs: gvr('batch', 'v1', 'cronjobs'),
  services: gvr('', 'v1', 'services'),
  endpoints: gvr('', 'v1', 'endpoints'),
  endpointslices: gvr('discovery.k8s.io', 'v1', 'endpointslices'),
  serviceaccounts: gvr('', 'v1', 'serviceaccounts'),
  nodes: gvr('', 'v1', 'nodes'),
  namespaces: gvr('', 'v1', 'namespaces'),
  events: gvr('', 'v1', 'events'),
};

/** "ns/name" or "name" → its parts. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class ApiClient {
  constructor(private readonly port: Port) {}

  get(target: ApiTarget): Promise<Result<KubeObject>> {
    return this.port.request(APISERVER_ADDRESS, 'api.get', { target });
  }
  list(target: ApiTarget, labelSelector?: string): Promise<Result<KubeObject>> {
    return this.port.request(APISERVER_ADDRESS, 'api.list', { target, ...(labelSelector ? { options: { labelSelector } } : {}) });
  }
  create(target: ApiTarget, object: KubeObject): Promise<Result<WriteReply>> {
    return this.port.request(APISERVER_ADDRESS, 'api.create', { target, object });
  }
  update(target: ApiTarget, object: KubeObject): Promise<Result<WriteReply>> {
    return this.port.request(APISERVER_ADDRESS, 'api.update', { target, object });
  }
  /** PUT on the status subresource. */
  updateStatus(target: ApiTarget, object: KubeObject): Promise<Result<WriteReply>> {
    return this.port.request(APISERVER_ADDRESS, 'api.update', { target: { ...target, subresource: 'status' }, object });
  }
  patch(target: ApiTarget, patch: unknown, patchType: PatchType = 'merge'): Promise<Result<WriteReply>> {
    return this.port.request(APISERVER_ADDRESS, 'api.patch', { target, patch, patchType });
  }
  delete(target: ApiTarget, options?: DeleteOptions): Promise<Result<WriteReply>> {
    return this.port.request(APISERVER_ADDRESS, 'api.delete', { target, ...(options ? { options } : {}) });
  }
}
