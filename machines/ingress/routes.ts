/**
 * The ingress controller's routing decisions, pure: the route table built from the Ingresses
 * of its class, and the match of one request (host, path) against it, as the Ingress API
 * defines it — exact hosts before a wildcard `*.foo.com` (one label) before rules without a
 * host; Exact paths and Prefix paths matched element by element (ImplementationSpecific is
 * Prefix here), the longest path first and Exact before Prefix at the same length; then the
 * matched Ingress's defaultBackend, then the oldest Ingress's defaultBackend.
 */
import type { HTTPIngressPath, Ingress } from 'kubernetes-types/networking/v1.js';

/** A Service port an Ingress sends to: by number or by name, in the Ingress's namespace. */
export interface BackendRef {
  namespace: string;
  service: string;
  port: { number?: number; name?: string };
}

export interface Route {
  pathType: 'Exact' | 'Prefix';
  /** The path's elements (split on '/', empty ones dropped). */
  elements: string[];
  path: string;
  backend: BackendRef;
  /** "namespace/name" of the Ingress the path comes from. */
  ingress: string;
}

interface HostRoutes {
  routes: Route[];
  /** The defaultBackend of the (oldest) Ingress that names this host. */
  fallback?: BackendRef;
}

export interface RouteTable {
  /** By lower-case host; '' for rules without a host. Routes are in match order. */
  hosts: Map<string, HostRoutes>;
  defaultBackend?: BackendRef;
}

export type Match = { type: 'backend'; backend: BackendRef; ingress?: string } | { type: 'none' };

const keyOf = (i: Ingress): string => `${i.metadata?.namespace ?? ''}/${i.metadata?.name ?? ''}`;
const elementsOf = (path: string): string[] => path.split('/').filter(Boolean);

/** Oldest first, then by namespace/name: the order conflicts are decided in. */
function byAge(a: Ingress, b: Ingress): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
}

function backendOf(ns: string, b: { service?: { name?: string; port?: { number?: number; name?: string } } } | undefined): BackendRef | undefined {
  if (!b?.service?.name) return undefined;
  const port = b.service.port ?? {};
  return { namespace: ns, service: b.service.name, port: port.name ? { name: port.name } : { number: port.number ?? 0 } };
}

function routeOf(ns: string, ingress: string, p: HTTPIngressPath): Route | undefined {
  const backend = backendOf(ns, p.backend);
  if (!backend) return undefined;
  const path = p.path || '/';
  return { pathType: p.pathType === 'Exact' ? 'Exact' : 'Prefix', elements: elementsOf(path), path, backend, ingress };
}

/** Longest first; at the same length Exact before Prefix (the Ingress API's precedence). */
function precedence(a: Route, b: Route): number {
  if (a.path.length !== b.path.length) return b.path.length - a.path.length;
  if (a.pathType !== b.pathType) return a.pathType === 'Exact' ? -1 : 1;
  return 0;
}

/** The table for `ingresses` (already filtered to the controller's class). */
export function buildRoutes(ingresses: readonly Ingress[]): RouteTable {
  const hosts = new Map<string, HostRoutes>();
  let defaultBackend: BackendRef | undefined;
  for (const ing of [...ingresses].sort(byAge)) {
    const ns = ing.metadata?.namespace ?? 'default';
    const own = backendOf(ns, ing.spec?.defaultBackend);
    defaultBackend ??= own;
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      let entry = hosts.get(host);
      if (!entry) hosts.set(host, (entry = { routes: [] }));
      if (own) entry.fallback ??= own;
      for (const p of rule.http?.paths ?? []) {
        const r = routeOf(ns, keyOf(ing), p);
        // The oldest Ingress keeps a path two of them claim (the stable sort keeps age order).
        if (r && !entry.routes.some((x) => x.path === r.path && x.pathType === r.pathType)) entry.routes.push(r);
      }
    }
  }
  for (const entry of hosts.values()) entry.routes.sort(precedence);
  return { hosts, ...(defaultBackend ? { defaultBackend } : {}) };
}

/** Whether request path elements `req` match route `r`. */
function pathMatches(r: Route, reqPath: string, req: string[]): boolean {
  if (r.pathType === 'Exact') return reqPath === r.path;
  return r.elements.length <= req.length && r.elements.every((e, i) => e === req[i]);
}

/** The host entry a request host selects: exact, then a one-label wildcard, then host-less rules. */
function hostEntry(table: RouteTable, host: string): HostRoutes | undefined {
  const exact = table.hosts.get(host);
  if (exact) return exact;
  const dot = host.indexOf('.');
  const wild = dot > 0 ? table.hosts.get(`*${host.slice(dot)}`) : undefined;
  return wild ?? table.hosts.get('');
}

/** The backend for a request: `host` as the Host header or SNI gave it (a port is ignored), `path` without the query. */
export function matchRoute(table: RouteTable, host: string, path: string): Match {
  const name = normalizeHost(host);
  const reqPath = path.split('?')[0] || '/';
  const req = elementsOf(reqPath);
  const entry = hostEntry(table, name);
  const route = entry?.routes.find((r) => pathMatches(r, reqPath, req));
  if (route) return { type: 'backend', backend: route.backend, ingress: route.ingress };
  const fallback = entry?.fallback ?? table.defaultBackend;
  return fallback ? { type: 'backend', backend: fallback } : { type: 'none' };
}

/** The host part of a Host header, lower case: "Foo.com:8443" → "foo.com", "[::1]:80" → "::1". */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.indexOf(':');
  return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.slice(0, colon) : h;
}

/**
 * The TLS Secret (namespace/name) each host's certificate comes from, by spec.tls hosts
 * (the oldest Ingress wins a host two of them name); a wildcard host is kept as written.
 */
export function tlsSecrets(ingresses: readonly Ingress[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const ing of [...ingresses].sort(byAge)) {
    for (const tls of ing.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      const secret = `${ing.metadata?.namespace ?? 'default'}/${tls.secretName}`;
      for (const h of tls.hosts ?? []) if (!out.has(h.toLowerCase())) out.set(h.toLowerCase(), secret);
    }
  }
  return out;
}

/** The entry of `byHost` for a server name: exact, else its one-label wildcard. */
export function lookupHost<T>(byHost: ReadonlyMap<string, T>, serverName: string): T | undefined {
  const name = normalizeHost(serverName);
  const exact = byHost.get(name);
  if (exact !== undefined) return exact;
  const dot = name.indexOf('.');
  return dot > 0 ? byHost.get(`*${name.slice(dot)}`) : undefined;
}
