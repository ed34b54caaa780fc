import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiTarget } from '../../../bus/catalogue/api.ts';
import { badRequest, methodNotAllowed, status } from '../../../base/status.ts';
import { subresourcesOf, type ServedKind } from '../../../api/discovery/types.ts';
import { findKind, type FrontContext, type RequestInfo } from './context.ts';
import { onlyUnsupported } from './negotiate.ts';
import { pathNotFound, sendStatus } from './respond.ts';
import type { ResourcePath } from './route.ts';
import { isTrue } from './query.ts';
import { serveGet, serveList } from './read.ts';
import { serveCreate, serveDelete, serveDeleteCollection, servePatch, serveUpdate } from './write.ts';
import { serveWatch } from './watch.ts';
import { serveLogs } from './logs.ts';
import { STREAM_SUBRESOURCES } from './stream-upgrade.ts';
import { frontConversion, type FrontConversion } from './conversion.ts';

/** The Kubernetes verb a request is, from its method and path (RequestInfoFactory's rules). */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export function verbOf(method: string, path: ResourcePath, query: URLSearchParams): Verb | null {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (path.name === undefined) return isTrue(query.get('watch')) ? 'watch' : 'list';
      return 'get';
    case 'POST':
      return path.name === undefined || path.subresource !== undefined ? 'create' : null;
    case 'PUT':
      return path.name === undefined ? null : 'update';
    case 'PATCH':
      return path.name === undefined ? null : 'patch';
    case 'DELETE':
      return path.name === undefined ? 'deletecollection' : 'delete';
    default:
      return null;
  }
}

/** What a resource request handler is given once routing is done. */
export interface ResourceRequest {
  ctx: FrontContext;
  info: RequestInfo;
  kind: ServedKind;
  target: ApiTarget;
  req: IncomingMessage;
  res: ServerResponse;
  /** Conversion between the asked version and the serving one, for a kind served at several versions (conversion.ts). */
  conversion?: FrontConversion;
}

/**
 * Serves one request on a resource path: finds the kind, checks scope, subresource and
 * verb (404 / 405 as Kubernetes answers them), then hands over to the verb's handler.
 */
export async function serveResource(ctx: FrontContext, info: RequestInfo, path: ResourcePath, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const kind = findKind(ctx.kinds, path.group, path.version, path.resource);
  if (!kind) return sendStatus(res, pathNotFound());
  // A namespace on a cluster-scoped kind, or a named namespaced object without one, is no path at all.
  if (path.namespace !== undefined && !kind.namespaced) return sendStatus(res, pathNotFound());
  if (kind.namespaced && path.name !== undefined && path.namespace === undefined) return sendStatus(res, pathNotFound());
  const verb = verbOf(req.method ?? 'GET', path, info.url.searchParams);
  let allowed: readonly string[] = kind.verbs;
  if (path.subresource !== undefined) {
    const sub = subresourcesOf(kind).find((s) => s.name === path.subresource);
    if (!sub) return sendStatus(res, pathNotFound());
    allowed = sub.verbs;
  }
  if (!verb || !allowed.includes(verb)) {
    req.resume();
    return sendStatus(res, methodNotAllowed());
  }
  if (onlyUnsupported(info.accept)) {
    req.resume();
    return sendStatus(res, status(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml`));
  }
  const target: ApiTarget = { group: kind.group, version: kind.servedAs ?? kind.version, resource: kind.resource };
  if (path.namespace !== undefined) target.namespace = path.namespace;
  if (path.name !== undefined) target.name = path.name;
  if (path.subresource !== undefined) target.subresource = path.subresource;
  const conversion = frontConversion(ctx, kind);
  const r: ResourceRequest = { ctx, info, kind, target, req, res, ...(conversion ? { conversion } : {}) };
  if (path.subresource === 'log') return serveLogs(r);
  // Streams are served on the upgrade (stream-upgrade.ts); a plain request gets kube-apiserver's answer.
  if (kind.resource === 'pods' && path.subresource !== undefined && STREAM_SUBRESOURCES.has(path.subresource)) {
    req.resume();
    return sendStatus(res, badRequest('Upgrade request required'));
  }
  switch (verb) {
    case 'get': return serveGet(r);
    case 'list': return serveList(r);
    case 'watch': return serveWatch(r);
    case 'create': return serveCreate(r);
    case 'update': return serveUpdate(r);
    case 'patch': return servePatch(r);
    case 'delete': return serveDelete(r);
    case 'deletecollection': return serveDeleteCollection(r);
  }
}
