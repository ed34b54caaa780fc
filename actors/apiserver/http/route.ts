/**
 * Parsing a request path into what it addresses, the way Kubernetes' RequestInfoFactory
 * does (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), so the same URLs mean the
 * same things here.
 */

/** A path under /api/v1 or /apis/<group>/<version> that names a resource. */
export interface ResourcePath {
  type: 'resource';
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The discovery documents and the other non-resource endpoints. */
export type Route =
  | ResourcePath
  | { type: 'version' }
  | { type: 'health'; check: 'healthz' | 'livez' | 'readyz' }
  | { type: 'metrics' }
  | { type: 'debug-apf'; dump: 'dump_priority_levels' | 'dump_queues' }
  | { type: 'core-versions' }
  | { type: 'groups' }
  | { type: 'group'; group: string }
  | { type: 'resources'; group: string; version: string }
  | { type: 'openapi-root' }
  | { type: 'openapi-v2' }
  | { type: 'openapi-gv'; prefix: string }
  | { type: 'unknown' };

/** Namespace subresources: `/namespaces/x/status` is about the Namespace x, not a resource "status" in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Parses a URL pathname (no query) into a Route. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(safeDecode);
  const [first, second] = parts;
  if (first === 'version') return parts.length === 1 ? { type: 'version' } : { type: 'unknown' };
  if (first === 'healthz' || first === 'livez' || first === 'readyz') return { type: 'health', check: first };
  if (first === 'metrics') return parts.length === 1 ? { type: 'metrics' } : { type: 'unknown' };
  if (first === 'debug' && second === 'api_priority_and_fairness' && parts.length === 3 && (parts[2] === 'dump_priority_levels' || parts[2] === 'dump_queues')) {
    return { type: 'debug-apf', dump: parts[2] };
  }
  if (first === 'openapi') {
    if (second === 'v2') return { type: 'openapi-v2' };
    if (second === 'v3') return parts.length === 2 ? { type: 'openapi-root' } : { type: 'openapi-gv', prefix: parts.slice(2).join('/') };
    return { type: 'unknown' };
  }
  if (first === 'api') {
    if (parts.length === 1) return { type: 'core-versions' };
    if (parts.length === 2) return { type: 'resources', group: '', version: second! };
    return resourcePath('', second!, parts.slice(2));
  }
  if (first === 'apis') {
    if (parts.length === 1) return { type: 'groups' };
    if (parts.length === 2) return { type: 'group', group: second! };
    if (parts.length === 3) return { type: 'resources', group: second!, version: parts[2]! };
    return resourcePath(second!, parts[2]!, parts.slice(3));
  }
  return { type: 'unknown' };
}

function resourcePath(group: string, version: string, rest: string[]): Route {
  let parts = rest;
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    // /namespaces/x and /namespaces/x/status address the Namespace x itself.
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) {
      namespace = parts[1];
      parts = parts.slice(2);
    }
  }
  if (parts.length === 0 || parts.length > 3) return { type: 'unknown' };
  const out: ResourcePath = { type: 'resource', group, version, resource: parts[0]! };
  if (namespace !== undefined) out.namespace = namespace;
  if (parts[1] !== undefined) out.name = parts[1];
  if (parts[2] !== undefined) out.subresource = parts[2];
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
