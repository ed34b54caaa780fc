/** Validation of Lease, EndpointSlice and PodDisruptionBudget. */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { immutable, index, invalid, notSupported, required } from './errors.ts';
import { validateLabelSelector } from './label-selector.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validateIntOrPercent } from './workload.ts';

export function validateLease(lease: Lease, old?: Lease): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(lease.metadata, old.metadata) : validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain);
  const s = lease.spec ?? {};
  if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (s.leaseTransitions !== undefined && s.leaseTransitions < 0) {
    errs.push(invalid('spec.leaseTransitions', s.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];

export function validateEndpointSlice(es: EndpointSlice, old?: EndpointSlice): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(es.metadata, old.metadata) : validateObjectMeta(es.metadata, true, nameIsDNSSubdomain);
  if (!es.addressType) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(es.addressType)) errs.push(notSupported('addressType', es.addressType, ADDRESS_TYPES));
  for (const [i, ep] of (es.endpoints ?? []).entries()) {
    const n = ep.addresses?.length ?? 0;
    if (n === 0) errs.push(required(`${index('endpoints', i)}.addresses`, 'must contain at least 1 address'));
    else if (n > 100) errs.push(invalid(`${index('endpoints', i)}.addresses`, n, 'must contain at most 100 addresses'));
  }
  if (old) errs.push(...immutable('addressType', es.addressType ?? '', es.addressType !== old.addressType));
  return errs;
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget, old?: PodDisruptionBudget): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(pdb.metadata, old.metadata) : validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain);
  const s = pdb.spec ?? {};
  if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) {
    errs.push(invalid('spec.minAvailable', s.minAvailable, 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...validateIntOrPercent(s.minAvailable, 'spec.minAvailable'));
  errs.push(...validateIntOrPercent(s.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  const policy = s.unhealthyPodEvictionPolicy;
  if (policy && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}
