/**
 * Validation and defaulting of networking.k8s.io/v1 NetworkPolicy (ValidateNetworkPolicy,
 * SetDefaults_NetworkPolicy). Policies are stored and served; nothing enforces them here.
 */
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { clone } from '../json.ts';
import { parseCidr } from '../ipv4.ts';
import { child, forbidden, index, invalid, notSupported, required, tooMany, type FieldPath } from './errors.ts';
import { validateLabelSelector } from './label-selector.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { isValidPortName } from './container.ts';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const POLICY_TYPES = ['Egress', 'Ingress'] as const;

function validatePort(p: NetworkPolicyPort, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if (p.protocol !== undefined && !(PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(notSupported(child(path, 'protocol'), p.protocol, PROTOCOLS));
  if (typeof p.port === 'number') {
    if (p.port < 1 || p.port > 65535) errs.push(invalid(child(path, 'port'), p.port, 'must be between 1 and 65535, inclusive'));
    if (p.endPort !== undefined) {
      if (p.endPort < p.port) errs.push(invalid(child(path, 'endPort'), p.endPort, 'must be greater than or equal to `port`'));
      if (p.endPort > 65535) errs.push(invalid(child(path, 'endPort'), p.endPort, 'must be between 1 and 65535, inclusive'));
    }
  } else if (typeof p.port === 'string') {
    for (const msg of isValidPortName(p.port)) errs.push(invalid(child(path, 'port'), p.port, msg));
    if (p.endPort !== undefined) errs.push(invalid(child(path, 'endPort'), p.endPort, 'may not be specified when `port` is non-numeric'));
  } else if (p.endPort !== undefined) {
    errs.push(invalid(child(path, 'endPort'), p.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function cidrOk(c: string): boolean {
  try {
    parseCidr(c);
    return true;
  } catch {
    return false;
  }
}

function validatePeer(peer: NetworkPolicyPeer, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const set = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((x) => x !== undefined).length;
  if (peer.podSelector) errs.push(...validateLabelSelector(peer.podSelector, child(path, 'podSelector')));
  if (peer.namespaceSelector) errs.push(...validateLabelSelector(peer.namespaceSelector, child(path, 'namespaceSelector')));
  if (set === 0) errs.push(required(path, 'must specify a peer'));
  else if (peer.ipBlock && set > 1) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  if (peer.ipBlock) {
    const ip = peer.ipBlock;
    const ipPath = child(path, 'ipBlock');
    if (!ip.cidr) errs.push(required(child(ipPath, 'cidr')));
    else if (!cidrOk(ip.cidr)) errs.push(invalid(child(ipPath, 'cidr'), ip.cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    (ip.except ?? []).forEach((e, i) => {
      if (!cidrOk(e)) errs.push(invalid(index(child(ipPath, 'except'), i), e, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    });
  }
  return errs;
}

export function validateNetworkPolicy(np: NetworkPolicy, old?: NetworkPolicy): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(np.metadata, old.metadata) : validateObjectMeta(np.metadata, true, nameIsDNSSubdomain);
  const s = np.spec ?? { podSelector: {} };
  errs.push(...validateLabelSelector(s.podSelector, 'spec.podSelector'));
  for (const [dir, rules, peers] of [['ingress', s.ingress ?? [], 'from'], ['egress', s.egress ?? [], 'to']] as const) {
    rules.forEach((rule, i) => {
      const path = index(child('spec', dir), i);
      (rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, index(child(path, 'ports'), j))));
      const list = (peers === 'from' ? (rule as { from?: NetworkPolicyPeer[] }).from : (rule as { to?: NetworkPolicyPeer[] }).to) ?? [];
      list.forEach((peer, j) => errs.push(...validatePeer(peer, index(child(path, peers), j))));
    });
  }
  const types = s.policyTypes ?? [];
  types.forEach((t, i) => {
    if (!(POLICY_TYPES as readonly string[]).includes(t)) errs.push(notSupported(index('spec.policyTypes', i), t, POLICY_TYPES));
  });
  if (types.length > 2) errs.push(tooMany('spec.policyTypes', types.length, 2));
  return errs;
}

/** SetDefaults_NetworkPolicy: ports default to TCP; no policyTypes means Ingress, plus Egress when egress rules exist. */
export function defaultNetworkPolicy(np: NetworkPolicy): NetworkPolicy {
  const o = clone(np);
  const s = (o.spec ??= { podSelector: {} });
  for (const rule of [...(s.ingress ?? []), ...(s.egress ?? [])]) for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
  if (!s.policyTypes?.length) s.policyTypes = s.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
  return o;
}
