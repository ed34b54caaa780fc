/**
 * The priority constants and system PriorityClasses of Kubernetes (pkg/apis/scheduling):
 * user classes may go up to one billion; the two `system-` classes above it are created by
 * the apiserver at start and are the only names the `system-` prefix allows.
 */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';

/** scheduling.HighestUserDefinablePriority. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** scheduling.SystemCriticalPriority (2 × the highest user priority). */
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
/** scheduling.SystemPriorityClassPrefix. */
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
/** The priority of a pod that names no class when no class is the global default. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;
/** The preemption policies a PriorityClass or pod may state (core.PreemptionPolicy). */
export const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'] as const;

/** schedulingapiv1.SystemPriorityClasses(): what the apiserver's bootstrap creates. */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' },
    value: SYSTEM_CRITICAL_PRIORITY + 1000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-cluster-critical' },
    value: SYSTEM_CRITICAL_PRIORITY,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

/** IsKnownSystemPriorityClass: null when `name` is a system class with this value and globalDefault, else why not. */
export function systemPriorityClassError(name: string, value: number, globalDefault: boolean): string | null {
  const spc = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata?.name === name);
  if (!spc) return `${name} is not a known system priority class`;
  if (spc.value !== value) return `value of ${name} PriorityClass must be ${spc.value}`;
  if ((spc.globalDefault ?? false) !== globalDefault) return `globalDefault of ${name} PriorityClass must be ${spc.globalDefault ?? false}`;
  return null;
}

/**
 * The class a pod without priorityClassName gets: the one marked globalDefault (the lowest
 * value if a race left several, as the Priority admission plugin picks), or undefined.
 */
export function globalDefaultClass(classes: Iterable<PriorityClass>): PriorityClass | undefined {
  let found: PriorityClass | undefined;
  for (const pc of classes) if (pc.globalDefault && (!found || found.value > pc.value)) found = pc;
  return found;
}
