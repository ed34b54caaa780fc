/** Validation of scheduling.k8s.io/v1 PriorityClass, as Kubernetes' ValidatePriorityClass(Update). */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { forbidden, immutable, notSupported } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { HIGHEST_USER_DEFINABLE_PRIORITY, PREEMPTION_POLICIES, SYSTEM_PRIORITY_CLASS_PREFIX, systemPriorityClassError } from '../scheduling/priority-classes.ts';

/** ValidatePreemptionPolicy: one of PreemptLowerPriority, Never. */
export function validatePreemptionPolicy(policy: string | undefined, path: string): StatusCause[] {
  if (policy === undefined || (PREEMPTION_POLICIES as readonly string[]).includes(policy)) return [];
  return [notSupported(path, policy, PREEMPTION_POLICIES)];
}

export function validatePriorityClass(pc: PriorityClass, old?: PriorityClass): StatusCause[] {
  if (old) {
    const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
    if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
    errs.push(...immutable('preemptionPolicy', pc.preemptionPolicy, pc.preemptionPolicy !== old.preemptionPolicy));
    return errs;
  }
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  const name = pc.metadata?.name ?? '';
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = systemPriorityClassError(name, pc.value, pc.globalDefault ?? false);
    if (why) errs.push(forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}
