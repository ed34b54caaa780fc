/**
 * The answers of cluster DNS, as CoreDNS's `kubernetes` plugin gives them with the Corefile
 * kubeadm installs (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure;
 * fallthrough in-addr.arpa ip6.arpa; ttl 5 }`): Service A records (the ClusterIP; a headless
 * Service's ready endpoint IPs), endpoint names of headless Services (the endpoint's hostname,
 * else its IP with dashes), SRV records for ports, ExternalName as a CNAME, pod A records by
 * dashed IP, PTR records for ClusterIPs and endpoint IPs. A name under the zone that does not
 * exist is NXDOMAIN and one without a record of the asked type NOERROR with no answer; both
 * carry the zone's SOA in the authority section. A PTR query for an address no Service or
 * endpoint holds falls through (null: forwarded upstream), as any name outside the zone.
 */
import type { EndpointSlice, Endpoint } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Answer, Question, SoaAnswer } from 'dns-packet';
import { dashed, parseName, type DnsName } from './names.ts';
import { SERVICE_NAME_LABEL } from '../service-endpoints.ts';

export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** The kubernetes plugin's default TTL (its `ttl` option), in seconds. */
export const DEFAULT_DNS_TTL = 5;
/** What `dns-version.<zone>` TXT answers: the version of the specification served. */
export const DNS_SCHEMA_VERSION = '1.1.0';

/** The cluster data a reply is built from (the DNS actor reads it from its informers). */
export interface DnsData {
  service(namespace: string, name: string): Service | undefined;
  /** The EndpointSlices of a Service (label kubernetes.io/service-name). */
  slices(namespace: string, service: string): readonly EndpointSlice[];
  namespaceExists(namespace: string): boolean;
  /** Every Service and every EndpointSlice (reverse lookups). */
  allServices(): readonly Service[];
  allSlices(): readonly EndpointSlice[];
  /** Whether a pod with this IP runs in the namespace (`pods verified`). */
  podWithIP(namespace: string, ip: string): boolean;
}

export interface ZoneOptions {
  /** The cluster domain (`--cluster-domain`, default cluster.local). */
  zone: string;
  ttl: number;
  /** The SOA serial: when the data last changed, in Unix seconds, as CoreDNS's. */
  serial: number;
  /** The address `ns.dns.<zone>` answers: the kube-dns Service's ClusterIP. */
  nameserverIP: string;
  /** The plugin's `pods` option (default insecure, as kubeadm's Corefile). */
  pods: 'insecure' | 'verified' | 'disabled';
}

/** A reply's rcode and sections (the server copies the id and question). */
export interface DnsReply {
  rcode: number;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

const strip = (name: string): string => name.replace(/\.$/, '');
const isReady = (e: Endpoint): boolean => e.conditions?.ready !== false;
const isHeadless = (s: Service): boolean => s.spec?.clusterIP === 'None';

/** The reply to `q`, or null when the question is not this zone's (forward it). */
export function resolveQuestion(q: Question, data: DnsData, o: ZoneOptions): DnsReply | null {
  if (q.class !== undefined && q.class !== 'IN') return null;
  const parsed = parseName(q.name, o.zone);
  const name = strip(q.name);
  const reply = (answers: Answer[], additionals: Answer[] = []): DnsReply => (answers.length ? { rcode: RCODE.NOERROR, answers, authorities: [], additionals } : noData(o));
  const a = (owner: string, ip: string): Answer => ({ type: 'A', name: owner, ttl: o.ttl, class: 'IN', data: ip });
  switch (parsed.kind) {
    case 'outside':
      return null;
    case 'invalid':
      return nxdomain(o);
    case 'apex':
      if (q.type === 'SOA') return reply([soa(o)]);
      if (q.type === 'NS') return reply([{ type: 'NS', name, ttl: o.ttl, class: 'IN', data: `ns.dns.${o.zone}` }], [a(`ns.dns.${o.zone}`, o.nameserverIP)]);
      return noData(o);
    case 'dns-version':
      return reply(q.type === 'TXT' ? [{ type: 'TXT', name, ttl: o.ttl, class: 'IN', data: DNS_SCHEMA_VERSION }] : []);
    case 'nameserver':
      return reply(q.type === 'A' ? [a(name, o.nameserverIP)] : []);
    case 'empty':
      return parsed.namespace === undefined || data.namespaceExists(parsed.namespace) ? noData(o) : nxdomain(o);
    case 'pod':
      return pod(parsed, q, name, data, o);
    case 'reverse': {
      const targets = ptrTargets(parsed.ip, data, o.zone);
      if (targets.length === 0) return null;
      return reply(q.type === 'PTR' ? targets.map((t) => ({ type: 'PTR', name, ttl: o.ttl, class: 'IN', data: t }) as Answer) : []);
    }
    case 'service':
      return service(parsed, q, name, data, o);
  }
}

function pod(p: Extract<DnsName, { kind: 'pod' }>, q: Question, name: string, data: DnsData, o: ZoneOptions): DnsReply {
  if (o.pods === 'disabled' || !data.namespaceExists(p.namespace)) return nxdomain(o);
  if (o.pods === 'verified' && !data.podWithIP(p.namespace, p.ip)) return nxdomain(o);
  if (q.type !== 'A') return noData(o);
  return { rcode: RCODE.NOERROR, answers: [{ type: 'A', name, ttl: o.ttl, class: 'IN', data: p.ip }], authorities: [], additionals: [] };
}

/** One serving endpoint of a Service: its name under the Service and its address. */
interface Target {
  host: string;
  ip: string;
  ports: { name: string; port: number; protocol: string }[];
}

function readyTargets(data: DnsData, ns: string, svc: string): Target[] {
  const out: Target[] = [];
  const seen = new Set<string>();
  for (const slice of data.slices(ns, svc)) {
    if (slice.addressType !== 'IPv4') continue;
    const ports = (slice.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? 0, protocol: (p.protocol ?? 'TCP').toLowerCase() }));
    for (const e of slice.endpoints ?? []) {
      if (!isReady(e)) continue;
      for (const ip of e.addresses ?? []) {
        if (seen.has(ip)) continue;
        seen.add(ip);
        out.push({ host: e.hostname ?? dashed(ip), ip, ports });
      }
    }
  }
  return out;
}

function service(p: Extract<DnsName, { kind: 'service' }>, q: Question, name: string, data: DnsData, o: ZoneOptions): DnsReply {
  const svc = data.service(p.namespace, p.service);
  if (!svc) return nxdomain(o);
  const fqdn = `${p.service}.${p.namespace}.svc.${o.zone}`;
  const a = (owner: string, ip: string): Answer => ({ type: 'A', name: owner, ttl: o.ttl, class: 'IN', data: ip });
  const done = (answers: Answer[], additionals: Answer[] = []): DnsReply => (answers.length ? { rcode: RCODE.NOERROR, answers, authorities: [], additionals } : noData(o));
  if (svc.spec?.type === 'ExternalName') {
    if (p.endpoint !== undefined || p.port !== undefined) return nxdomain(o);
    const target = strip(svc.spec.externalName ?? '');
    return ['A', 'AAAA', 'CNAME'].includes(q.type) ? done([{ type: 'CNAME', name, ttl: o.ttl, class: 'IN', data: target }]) : noData(o);
  }
  const srv = (owner: string, port: number, target: string, weight: number): Answer => ({ type: 'SRV', name: owner, ttl: o.ttl, class: 'IN', data: { priority: 0, weight, port, target } });
  const portMatches = (pt: { name: string; protocol: string }): boolean => p.port === undefined || (pt.name === p.port.name && pt.protocol === p.port.protocol);
  if (p.endpoint === undefined && !isHeadless(svc)) {
    const ip = svc.spec?.clusterIP ?? '';
    const ports = (svc.spec?.ports ?? []).map((x) => ({ name: x.name ?? '', port: x.port, protocol: (x.protocol ?? 'TCP').toLowerCase() })).filter(portMatches);
    if (p.port !== undefined && ports.length === 0) return nxdomain(o);
    if (q.type === 'A') return done(p.port ? [] : [a(name, ip)]);
    if (q.type === 'SRV') return done(ports.map((x) => srv(name, x.port, `${fqdn}.`, Math.floor(100 / ports.length))), [a(fqdn, ip)]);
    return noData(o);
  }
  // Headless Services, and endpoint names of any Service: the ready endpoints.
  let targets = readyTargets(data, p.namespace, p.service);
  if (p.endpoint !== undefined) targets = targets.filter((t) => t.host === p.endpoint || dashed(t.ip) === p.endpoint);
  const pairs = targets.flatMap((t) => t.ports.filter(portMatches).map((port) => ({ t, port })));
  if (targets.length === 0 || (p.port !== undefined && pairs.length === 0)) return nxdomain(o);
  if (q.type === 'A') return done(p.port ? [] : targets.map((t) => a(name, t.ip)));
  if (q.type === 'SRV') {
    const weight = Math.floor(100 / pairs.length);
    return done(
      pairs.map(({ t, port }) => srv(name, port.port, `${t.host}.${fqdn}.`, weight)),
      targets.map((t) => a(`${t.host}.${fqdn}`, t.ip)),
    );
  }
  return noData(o);
}

/** The names an address answers to: a Service's ClusterIP, or an endpoint of a Service. */
function ptrTargets(ip: string, data: DnsData, zone: string): string[] {
  for (const s of data.allServices()) {
    if (s.spec?.clusterIP === ip || s.spec?.clusterIPs?.includes(ip)) return [`${s.metadata?.name}.${s.metadata?.namespace}.svc.${zone}`];
  }
  const out: string[] = [];
  for (const slice of data.allSlices()) {
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    for (const e of slice.endpoints ?? []) {
      if (e.addresses?.includes(ip)) out.push(`${e.hostname ?? dashed(ip)}.${svc}.${slice.metadata?.namespace}.svc.${zone}`);
    }
  }
  return [...new Set(out)];
}

/** The zone's SOA, as CoreDNS builds it (mname ns.dns.<zone>, rname hostmaster.<zone>). */
export function soa(o: ZoneOptions): SoaAnswer {
  return {
    type: 'SOA',
    name: o.zone,
    ttl: Math.min(o.ttl, 300),
    class: 'IN',
    data: { mname: `ns.dns.${o.zone}`, rname: `hostmaster.${o.zone}`, serial: o.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: o.ttl },
  };
}

const nxdomain = (o: ZoneOptions): DnsReply => ({ rcode: RCODE.NXDOMAIN, answers: [], authorities: [soa(o)], additionals: [] });
const noData = (o: ZoneOptions): DnsReply => ({ rcode: RCODE.NOERROR, answers: [], authorities: [soa(o)], additionals: [] });
