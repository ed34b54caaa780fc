/**
 * The labels kube-apiserver puts on a request's metrics (k8s.io/apiserver/pkg/endpoints/
 * metrics/metrics.go), worked out from the method, the parsed route and the query:
 *
 * - verb: the HTTP method upper-cased, GET on a collection reported as LIST, `watch=` as
 *   WATCH, a PATCH of Content-Type application/apply-patch+yaml as APPLY, the streaming
 *   subresources (log, exec, …) as CONNECT, any other method as "other" (CleanVerb);
 * - scope: "resource" for a named object or a POST, "namespace" for a collection in a
 *   namespace, "cluster" for one across the cluster (the installer's requestScope), "" for
 *   paths that name no resource;
 * - dry_run: "" without dryRun, the sorted distinct values when valid ("All"), else "invalid".
 *
 * Every value comes from a bounded set, whatever a client sends: a resource, group or
 * subresource the front does not serve is labelled "", and a non-resource path only by the
 * served path it names ("/api", "/apis/apps/v1", "/metrics"), so hostile URLs cannot grow
 * the metrics without end.
 */
import type { IncomingMessage } from 'node:http';
import { subresourcesOf, type ServedKind } from '../../../api/discovery/types.ts';
import type { Route } from './route.ts';
import { quote } from '../../../base/metrics.ts';

/** The verbs metrics report; anything else is "other" (validRequestMethods). */
const REPORTED_VERBS = new Set(['APPLY', 'CONNECT', 'CREATE', 'DELETE', 'DELETECOLLECTION', 'GET', 'LIST', 'PATCH', 'POST', 'PROXY', 'PUT', 'UPDATE', 'WATCH', 'WATCHLIST']);
/** Subresources reported as CONNECT (validConnectRequests). */
const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);
const READ_ONLY_VERBS = new Set(['GET', 'LIST', 'WATCH']);
const APPLY_PATCH = 'application/apply-patch+yaml';

/** One request's labels, rendered once as Prometheus label pairs (names sorted, as exposition sorts them). */
export interface RequestLabels {
  /** `group="…",resource="…",scope="…",subresource="…",verb="…",version="…"`: shared by every request metric. */
  common: string;
  /** The dry_run label's value. */
  dryRun: string;
  /** Counted in apiserver_current_inflight_requests as readOnly (GET, LIST, WATCH) or mutating. */
  readOnly: boolean;
  /** The verb label's value. */
  verb: string;
}

/** What is served, indexed once per kinds table so labelling a request is a few Map lookups. */
export class LabelIndex {
  readonly #kinds = new Map<string, { kind: ServedKind; subresources: ReadonlySet<string> }>();
  readonly #paths = new Set<string>(['/api', '/apis', '/version', '/healthz', '/livez', '/readyz', '/metrics', '/openapi/v2', '/openapi/v3']);

  constructor(kinds: readonly ServedKind[]) {
    for (const kind of kinds) {
      this.#kinds.set(`${kind.group}/${kind.version}/${kind.resource}`, { kind, subresources: new Set(subresourcesOf(kind).map((s) => s.name)) });
      const gv = kind.group ? `apis/${kind.group}/${kind.version}` : `api/${kind.version}`;
      this.#paths.add(`/${gv}`).add(`/openapi/v3/${gv}`);
      if (kind.group) this.#paths.add(`/apis/${kind.group}`);
    }
  }

  /** The labels of a request to `route`. */
  of(req: IncomingMessage, route: Route, query: URLSearchParams): RequestLabels {
    const method = (req.method ?? 'GET').toUpperCase();
    let group = '';
    let version = '';
    let resource = '';
    let subresource = '';
    let scope = '';
    if (route.type === 'resource') {
      scope = route.name !== undefined || method === 'POST' ? 'resource' : route.namespace !== undefined ? 'namespace' : 'cluster';
      const served = this.#kinds.get(`${route.group}/${route.version}/${route.resource}`);
      if (served) {
        ({ group, version, resource } = served.kind);
        if (route.subresource !== undefined && served.subresources.has(route.subresource)) subresource = route.subresource;
      }
    } else {
      subresource = this.#servedPath(route);
    }
    let verb = method === 'GET' || method === 'HEAD' ? (scope === 'resource' || scope === '' ? 'GET' : 'LIST') : method;
    if (method === 'GET' && isWatch(query)) verb = 'WATCH';
    if (verb === 'PATCH' && req.headers['content-type'] === APPLY_PATCH) verb = 'APPLY';
    if (route.type === 'resource' && subresource !== '' && CONNECT_SUBRESOURCES.has(subresource)) verb = 'CONNECT';
    if (!REPORTED_VERBS.has(verb)) verb = 'other';
    const common = `group=${quote(group)},resource=${quote(resource)},scope=${quote(scope)},subresource=${quote(subresource)},verb=${quote(verb)},version=${quote(version)}`;
    return { common, dryRun: dryRunLabel(query), readOnly: READ_ONLY_VERBS.has(verb), verb };
  }

  /** The path a non-resource route names, when the front serves it; "" otherwise. */
  #servedPath(route: Exclude<Route, { type: 'resource' }>): string {
    let path: string;
    switch (route.type) {
      case 'version': path = '/version'; break;
      case 'health': path = `/${route.check}`; break;
      case 'metrics': path = '/metrics'; break;
      case 'debug-apf': path = `/debug/api_priority_and_fairness/${route.dump}`; break;
      case 'core-versions': path = '/api'; break;
      case 'groups': path = '/apis'; break;
      case 'group': path = `/apis/${route.group}`; break;
      case 'resources': path = route.group ? `/apis/${route.group}/${route.version}` : `/api/${route.version}`; break;
      case 'openapi-root': path = '/openapi/v3'; break;
      case 'openapi-v2': path = '/openapi/v2'; break;
      case 'openapi-gv': path = `/openapi/v3/${route.prefix}`; break;
      case 'unknown': return '';
    }
    return this.#paths.has(path) ? path : '';
  }
}

/** getVerbIfWatch: the first `watch` value, unless it is "0" or "false" (any case). */
function isWatch(query: URLSearchParams): boolean {
  const v = query.get('watch');
  if (v === null) return false;
  const lower = v.toLowerCase();
  return lower !== '0' && lower !== 'false';
}

/** cleanDryRun: "" when absent, "invalid" when any value is not "All", else the distinct values sorted. */
function dryRunLabel(query: URLSearchParams): string {
  const values = query.getAll('dryRun');
  if (values.length === 0) return '';
  if (values.some((v) => v !== 'All')) return 'invalid';
  return 'All';
}

