/**
 * Validation of networking.k8s.io/v1 Ingress and IngressClass (pkg/apis/networking/validation),
 * with Kubernetes' messages and field paths.
 */
import type { HTTPIngressPath, Ingress, IngressBackend, IngressClass, IngressClassParametersReference, IngressRule, IngressSpec } from 'kubernetes-types/networking/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { parseIp } from '../ipv4.ts';
import { isValidPortName, isValidPortNum } from './container.ts';
import { child, forbidden, GoRaw, immutable, index, invalid, notSupported, required, tooLong, type FieldPath } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, isWildcardDNS1123Subdomain, nameIsDNSSubdomain, regexError } from './names.ts';

/** The legacy annotation naming an Ingress's class (networking's annotationIngressClass). */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const PARAMETER_SCOPES = ['Cluster', 'Namespace'];
const MAX_LEN_CONTROLLER = 250;
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const HTTP_PATH = new RegExp(`^${HTTP_PATH_FMT}$`);

/** netutils.ParseIPSloppy accepts it (IPv4 dotted quads and IPv6). */
const isIP = (s: string): boolean => parseIp(s) !== null || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));

function validateBackend(b: IngressBackend, path: FieldPath): StatusCause[] {
  if (b.resource && b.service) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (b.resource) return validateTypedReference(b.resource, child(path, 'resource'));
  if (!b.service) return [invalid(path, '', 'resource or service backend is required')];
  const errs: StatusCause[] = [];
  const svc = b.service;
  if (!svc.name) errs.push(required(child(path, 'service', 'name')));
  else for (const m of isDNS1035Label(svc.name)) errs.push(invalid(child(path, 'service', 'name'), svc.name, m));
  const portName = svc.port?.name ?? '';
  const portNumber = svc.port?.number ?? 0;
  if (portName && portNumber) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) for (const m of isValidPortName(portName)) errs.push(invalid(child(path, 'service', 'port', 'name'), portName, m));
  else if (portNumber) for (const m of isValidPortNum(portNumber)) errs.push(invalid(child(path, 'service', 'port', 'number'), portNumber, m));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validateTypedReference(r: { apiGroup?: string; kind?: string; name?: string }, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if (r.apiGroup !== undefined) for (const m of isDNS1123Subdomain(r.apiGroup)) errs.push(invalid(child(path, 'apiGroup'), r.apiGroup, m));
  for (const f of ['kind', 'name'] as const) {
    const v = r[f];
    if (!v) errs.push(required(child(path, f)));
    else for (const m of isValidPathSegmentName(v)) errs.push(invalid(child(path, f), v, m));
  }
  return errs;
}

function validatePath(p: HTTPIngressPath, path: FieldPath): StatusCause[] {
  const type = p.pathType;
  if (type === undefined) return [required(child(path, 'pathType'), 'pathType must be specified')];
  const errs: StatusCause[] = [];
  const value = p.path ?? '';
  const at = child(path, 'path');
  if (type === 'Exact' || type === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalid(at, value, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(at, value, `must not contain '${seq}'`));
    for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalid(at, value, `cannot end with '${suffix}'`));
  } else if (type === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalid(at, value, 'must be an absolute path'));
  } else errs.push(notSupported(child(path, 'pathType'), type, PATH_TYPES));
  errs.push(...validateBackend(p.backend ?? {}, child(path, 'backend')));
  return errs;
}

function validateRules(rules: readonly IngressRule[], path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  rules.forEach((rule, i) => {
    const at = index(path, i);
    const host = rule.host ?? '';
    if (host) {
      if (isIP(host)) errs.push(invalid(child(at, 'host'), host, 'must be a DNS name, not an IP address'));
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) errs.push(invalid(child(at, 'host'), host, m));
    }
    if (!rule.http) return;
    const paths = rule.http.paths ?? [];
    if (paths.length === 0) errs.push(required(child(at, 'http', 'paths')));
    paths.forEach((p, j) => errs.push(...validatePath(p, index(child(at, 'http', 'paths'), j))));
  });
  return errs;
}

/** ValidateIngressSpec. */
export function validateIngressSpec(spec: IngressSpec | undefined, path: FieldPath): StatusCause[] {
  const s = spec ?? {};
  const errs: StatusCause[] = [];
  const rules = s.rules ?? [];
  if (rules.length === 0 && !s.defaultBackend) {
    errs.push(invalid(path, new GoRaw(s.rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, child(path, 'defaultBackend')));
  if (rules.length) errs.push(...validateRules(rules, child(path, 'rules')));
  (s.tls ?? []).forEach((tls, i) => {
    const at = index(child(path, 'tls'), i);
    (tls.hosts ?? []).forEach((host, j) => {
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) errs.push(invalid(index(child(at, 'hosts'), j), host, m));
    });
    if (tls.secretName) for (const m of isDNS1123Subdomain(tls.secretName)) errs.push(invalid(child(at, 'secretName'), tls.secretName, m));
  });
  if (s.ingressClassName !== undefined) for (const m of nameIsDNSSubdomain(s.ingressClassName, false)) errs.push(invalid(child(path, 'ingressClassName'), s.ingressClassName, m));
  return errs;
}

/** ValidateIngressCreate / ValidateIngressUpdate (the class annotation must agree with ingressClassName on create). */
export function validateIngress(ing: Ingress, old?: Ingress): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(ing.metadata, old.metadata) : validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateIngressSpec(ing.spec, 'spec'));
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  const className = ing.spec?.ingressClassName;
  if (!old && annotation !== undefined && className !== undefined && annotation !== className) {
    errs.push(invalid(child('annotations', INGRESS_CLASS_ANNOTATION), annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

/** validation.IsDomainPrefixedPath: "acme.io/foo". */
function validateDomainPrefixedPath(value: string, path: FieldPath): StatusCause[] {
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || !host || !rest) return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => invalid(path, host, m));
  if (!HTTP_PATH.test(rest)) errs.push(invalid(path, rest, regexError('Invalid path', HTTP_PATH_FMT)));
  return errs;
}

function validateParameters(p: IngressClassParametersReference | undefined, path: FieldPath): StatusCause[] {
  if (!p) return [];
  const errs = validateTypedReference(p, path);
  if (p.scope === undefined) return [...errs, required(child(path, 'scope'))];
  if (!PARAMETER_SCOPES.includes(p.scope)) errs.push(notSupported(child(path, 'scope'), p.scope, PARAMETER_SCOPES));
  else if (p.scope === 'Namespace') {
    if (p.namespace === undefined) errs.push(required(child(path, 'namespace'), "`parameters.scope` is set to 'Namespace'"));
    else for (const m of isDNS1123Subdomain(p.namespace)) errs.push(invalid(child(path, 'namespace'), p.namespace, m));
  } else if (p.namespace !== undefined) errs.push(forbidden(child(path, 'namespace'), "`parameters.scope` is set to 'Cluster'"));
  return errs;
}

/** ValidateIngressClass / ValidateIngressClassUpdate (spec.controller is immutable). */
export function validateIngressClass(ic: IngressClass, old?: IngressClass): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(ic.metadata, old.metadata) : validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain);
  if (old) errs.push(...immutable('spec.controller', ic.spec?.controller, ic.spec?.controller !== old.spec?.controller));
  const controller = ic.spec?.controller ?? '';
  if (!controller) errs.push(required('spec.controller'));
  else {
    if (controller.length > MAX_LEN_CONTROLLER) errs.push(tooLong('spec.controller', MAX_LEN_CONTROLLER));
    errs.push(...validateDomainPrefixedPath(controller, 'spec.controller'));
  }
  errs.push(...validateParameters(ic.spec?.parameters, 'spec.parameters'));
  return errs;
}
