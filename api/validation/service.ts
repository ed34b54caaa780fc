/** core/v1 Service validation (pkg/apis/core/validation validateServiceFields and update rules). */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { child, duplicate, forbidden, GoRaw, index, invalid, notSupported, required } from './errors.ts';
import { isValidPortName, isValidPortNum, PROTOCOLS } from './container.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, nameIsDNS1035Label } from './names.ts';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const isIP = (s: string): boolean => IPV4.test(s) || (/^[0-9a-fA-F:.]+$/.test(s) && s.includes(':'));

/** Go's %#v of the ServicePort key Kubernetes uses to report a duplicate port/protocol pair. */
const portKey = (p: ServicePort): GoRaw =>
  new GoRaw(`core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${p.port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`);

function validatePorts(svc: Service): StatusCause[] {
  const s = svc.spec ?? {};
  const errs: StatusCause[] = [];
  const ports = s.ports ?? [];
  if (ports.length === 0 && s.type !== 'ExternalName' && s.clusterIP !== 'None') errs.push(required('spec.ports'));
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const [i, p] of ports.entries()) {
    const pp = index('spec.ports', i);
    if (ports.length > 1 && !p.name) errs.push(required(child(pp, 'name')));
    if (p.name) {
      for (const m of isDNS1123Label(p.name)) errs.push(invalid(child(pp, 'name'), p.name, m));
      if (names.has(p.name)) errs.push(duplicate(child(pp, 'name'), p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p.port)) errs.push(invalid(child(pp, 'port'), p.port, m));
    if (!p.protocol) errs.push(required(child(pp, 'protocol')));
    else if (!(PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(notSupported(child(pp, 'protocol'), p.protocol, PROTOCOLS));
    const tp = p.targetPort;
    if (typeof tp === 'number') for (const m of isValidPortNum(tp)) errs.push(invalid(child(pp, 'targetPort'), tp, m));
    else if (typeof tp === 'string') for (const m of isValidPortName(tp)) errs.push(invalid(child(pp, 'targetPort'), tp, m));
    if (p.nodePort) {
      if (s.type === 'ClusterIP' || !s.type) errs.push(forbidden(child(pp, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
      else for (const m of isValidPortNum(p.nodePort)) errs.push(invalid(child(pp, 'nodePort'), p.nodePort, m));
    }
    const k = `${p.port}/${p.protocol}`;
    if (keys.has(k)) errs.push(duplicate(pp, portKey(p)));
    keys.add(k);
  }
  return errs;
}

/** Kubernetes' ExternallyAccessible: NodePort, LoadBalancer, or a ClusterIP Service with externalIPs. */
export const externallyAccessible = (svc: Service): boolean => {
  const s = svc.spec ?? {};
  return s.type === 'NodePort' || s.type === 'LoadBalancer' || ((s.type ?? 'ClusterIP') === 'ClusterIP' && (s.externalIPs?.length ?? 0) > 0);
};

function validateSpec(svc: Service): StatusCause[] {
  const s = svc.spec ?? {};
  const errs: StatusCause[] = [];
  if (!s.type) errs.push(required('spec.type'));
  else if (!TYPES.includes(s.type)) errs.push(notSupported('spec.type', s.type, TYPES));
  errs.push(...validatePorts(svc));
  if (s.type === 'ExternalName') {
    if (!s.externalName) errs.push(required('spec.externalName'));
    else for (const m of isDNS1123Subdomain(s.externalName.replace(/\.$/, ''))) errs.push(invalid('spec.externalName', s.externalName, m));
    if (s.clusterIP) errs.push(forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
  }
  if (s.clusterIP && s.clusterIP !== 'None' && !isIP(s.clusterIP)) {
    errs.push(invalid(index('spec.clusterIPs', 0), s.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if (s.sessionAffinity && s.sessionAffinity !== 'ClientIP' && s.sessionAffinity !== 'None') {
    errs.push(notSupported('spec.sessionAffinity', s.sessionAffinity, ['ClientIP', 'None']));
  }
  if (s.ipFamilyPolicy && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(s.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', s.ipFamilyPolicy, ['SingleStack', 'PreferDualStack', 'RequireDualStack']));
  }
  if (s.internalTrafficPolicy && s.internalTrafficPolicy !== 'Cluster' && s.internalTrafficPolicy !== 'Local') {
    errs.push(notSupported('spec.internalTrafficPolicy', s.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  for (const [i, ip] of (s.externalIPs ?? []).entries()) {
    if (!isIP(ip)) errs.push(invalid(index('spec.externalIPs', i), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if (s.externalTrafficPolicy && !externallyAccessible(svc)) {
    errs.push(invalid('spec.externalTrafficPolicy', s.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  }
  errs.push(...validateLabels(s.selector, 'spec.selector'));
  return errs;
}

/** Service validate hook; on update the allocated clusterIP may not change once set. */
export function validateService(svc: Service, old?: Service): StatusCause[] {
  if (!old) return [...validateObjectMeta(svc.metadata, true, nameIsDNS1035Label), ...validateSpec(svc)];
  const errs = [...validateObjectMetaUpdate(svc.metadata, old.metadata), ...validateSpec(svc)];
  const external = svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName';
  const oldIP = old.spec?.clusterIP;
  const newIP = svc.spec?.clusterIP;
  if (!external && oldIP && newIP !== oldIP) {
    errs.push(invalid(index('spec.clusterIPs', 0), svc.spec?.clusterIPs ?? [newIP ?? ''], 'may not change once set'));
  }
  return errs;
}
