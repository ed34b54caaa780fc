/**
 * Kinds served, not stored (api/kinds/info.ts `servedBy`): the apiserver hands a get or list
 * to the actor that serves the group, as kube-aggregator proxies an APIService's requests to
 * its server (metrics.k8s.io → metrics-server). Authorization ran before, on the caller's
 * identity; the serving actor answers the object, the list or a Status.
 */
import { fail, isServiceUnavailable, isTimeout, methodNotAllowed, status, type Result } from '../../base/status.ts';
import type { ApiTarget, ListOptions } from '../../bus/catalogue/api.ts';
import type { ServerContext } from './context.ts';

/** kube-aggregator's answer when the APIService's server does not answer (its proxy's 503). */
const notAvailable = () => status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');

/** Serves `type` (api.get or api.list) of `target` by asking `address`; other verbs are 405. */
export async function serveAggregated(s: ServerContext, address: string, type: string, target: ApiTarget, options: ListOptions | undefined): Promise<Result<unknown>> {
  if (target.subresource !== undefined) return fail(methodNotAllowed());
  let r: Result<unknown>;
  if (type === 'api.get' && target.name !== undefined) r = await s.port.request(address, 'metrics.get', { target });
  else if (type === 'api.list' && target.name === undefined) r = await s.port.request(address, 'metrics.list', { target, ...(options ? { options } : {}) });
  else return fail(methodNotAllowed());
  // No actor at the address (503) or no answer in time (504): the bus's failures, not the server's.
  if (!r.ok && (isServiceUnavailable(r.status) || isTimeout(r.status))) return fail(notAvailable());
  return r;
}
