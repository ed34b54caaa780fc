/**
 * Service environment variables (pkg/kubelet/envvars FromServices and kubelet's
 * getServiceEnvVarMap): `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT>]` and the
 * docker-link style `<NAME>_PORT_<n>_<PROTO>…`, for the services of the pod's namespace
 * (when enableServiceLinks) and always for `kubernetes` in `default`.
 */
import type { Service } from 'kubernetes-types/core/v1.js';

/** The master services whose variables every pod gets (kubelet's masterServices). */
const MASTER_SERVICES = new Set(['kubernetes']);

const isServiceIPSet = (s: Service): boolean => !!s.spec?.clusterIP && s.spec.clusterIP !== 'None';
const envName = (s: string): string => s.replaceAll('-', '_').toUpperCase();

/** FromServices, in the order given. */
export function fromServices(services: readonly Service[]): [string, string][] {
  const out: [string, string][] = [];
  for (const s of services) {
    if (!isServiceIPSet(s)) continue;
    const prefix = envName(s.metadata?.name ?? '');
    const ip = s.spec?.clusterIP ?? '';
    const ports = s.spec?.ports ?? [];
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    out.push([`${prefix}_SERVICE_PORT`, String(ports[0]?.port ?? 0)]);
    for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    for (const [i, p] of ports.entries()) {
      const proto = (p.protocol || 'TCP').toLowerCase();
      const url = `${proto}://${ip.includes(':') ? `[${ip}]` : ip}:${p.port}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push([pp, url], [`${pp}_PROTO`, proto], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
    }
  }
  return out;
}

/** getServiceEnvVarMap: the variables of `services` (all namespaces) a pod in `namespace` gets. */
export function serviceEnvMap(services: readonly Service[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const s of services) {
    if (!isServiceIPSet(s)) continue;
    const name = s.metadata?.name ?? '';
    if (s.metadata?.namespace === 'default' && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (s.metadata?.namespace === namespace && enableServiceLinks) chosen.set(name, s);
  }
  const sorted = [...chosen.keys()].sort().map((k) => chosen.get(k)!);
  return new Map(fromServices(sorted));
}
