/**
 * The pod quota evaluator (pkg/quota/v1/evaluator/core/pods.go): what a pod is charged
 * (object count, and compute resources while it is not terminal), the scopes it matches
 * (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass) and the
 * constraint that every container states each cpu/memory resource a quota tracks.
 */
import type { Container, Pod, ScopedResourceSelectorRequirement } from 'kubernetes-types/core/v1.js';
import { compareQuantity, type Quantity } from '../quantity.ts';
import { add, ONE, parseList, type Usage } from './resources.ts';

/** The names the pod evaluator counts (podResources, without the prefixed extended ones). */
export const POD_RESOURCES = [
  'pods', 'count/pods', 'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
] as const;

/** Names with these prefixes are counted too (hugepages, extended resources as `requests.<name>`). */
const POD_PREFIXES = ['hugepages-', 'requests.hugepages-', 'requests.'] as const;

/** Resources whose quota obliges every container to state them (the evaluator's validationSet). */
const MUST_STATE = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** The names of `hard` the pod evaluator counts (MatchingResources). */
export function podMatchingResources(hard: readonly string[]): string[] {
  return hard.filter((n) => (POD_RESOURCES as readonly string[]).includes(n) || POD_PREFIXES.some((p) => n.startsWith(p)));
}

const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always';

function maxOf(a: Usage, b: Usage): Usage {
  const out: Record<string, Quantity> = { ...a };
  for (const [k, q] of Object.entries(b)) if (!out[k] || compareQuantity(q, out[k]) > 0) out[k] = q;
  return out;
}

/**
 * A pod's effective requests or limits (resourcehelper.PodRequests / PodLimits): the sum of its
 * containers and sidecars, at least what any init container needs beside the sidecars started
 * before it, plus the RuntimeClass overhead.
 */
export function podAggregate(pod: Pod, which: 'requests' | 'limits'): Usage {
  let sum: Usage = {};
  for (const c of pod.spec?.containers ?? []) sum = add(sum, parseList(c.resources?.[which]));
  let sidecars: Usage = {};
  let init: Usage = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const own = parseList(c.resources?.[which]);
    if (isSidecar(c)) {
      sidecars = add(sidecars, own);
      sum = add(sum, own);
      init = maxOf(init, sidecars);
    } else init = maxOf(init, add(own, sidecars));
  }
  const total = maxOf(sum, init);
  return pod.spec?.overhead ? add(total, parseList(pod.spec.overhead)) : total;
}

/** podComputeUsageHelper: the compute names a pair of requests and limits is charged under. */
export function computeUsage(requests: Usage, limits: Usage): Usage {
  const out: Record<string, Quantity> = { pods: ONE };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) out[r] = out[`requests.${r}`] = requests[r];
    if (limits[r]) out[`limits.${r}`] = limits[r];
  }
  for (const [r, q] of Object.entries(requests)) {
    if (r.startsWith('hugepages-')) out[r] = out[`requests.${r}`] = q;
    else if (r.includes('/') && !r.startsWith('kubernetes.io/') && !r.startsWith('requests.')) out[`requests.${r}`] = q;
  }
  return out;
}

/** Succeeded or Failed: its compute resources are released. */
export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * QuotaV1Pod: whether the pod still holds compute resources. A terminal pod does not, nor one
 * whose deletion grace period has passed (`nowMs`, when the caller knows the time).
 */
export function holdsCompute(pod: Pod, nowMs?: number): boolean {
  if (isTerminal(pod)) return false;
  const m = pod.metadata;
  if (nowMs !== undefined && m?.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined) {
    return Date.parse(m.deletionTimestamp) + m.deletionGracePeriodSeconds * 1000 >= nowMs;
  }
  return true;
}

/** PodUsageFunc: count/pods always; the compute names while the pod holds compute. */
export function podUsage(pod: Pod, nowMs?: number): Usage {
  const counted: Usage = { 'count/pods': ONE };
  if (!holdsCompute(pod, nowMs)) return counted;
  return add(counted, computeUsage(podAggregate(pod, 'requests'), podAggregate(pod, 'limits')));
}

/** QoS class BestEffort: no container (or init container) has any cpu or memory request or limit. */
export function isBestEffort(pod: Pod): boolean {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all.every((c) => ['cpu', 'memory'].every((r) => c.resources?.requests?.[r] === undefined && c.resources?.limits?.[r] === undefined));
}

/** Terminating scope: activeDeadlineSeconds is set (and not negative). */
export const isTerminating = (pod: Pod): boolean => (pod.spec?.activeDeadlineSeconds ?? -1) >= 0;

/** podMatchesScopeFunc: whether the pod is in one scope selector requirement. */
export function podMatchesScope(sel: ScopedResourceSelectorRequirement, pod: Pod): boolean {
  switch (sel.scopeName) {
    case 'Terminating':
      return isTerminating(pod);
    case 'NotTerminating':
      return !isTerminating(pod);
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass': {
      const pc = pod.spec?.priorityClassName ?? '';
      switch (sel.operator) {
        case 'Exists':
          return pc !== '';
        case 'DoesNotExist':
          return pc === '';
        case 'In':
          return pc !== '' && (sel.values ?? []).includes(pc);
        case 'NotIn':
          return !(sel.values ?? []).includes(pc);
        default:
          return false;
      }
    }
    case 'CrossNamespacePodAffinity': {
      const terms = [
        ...(pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
        ...(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
      ];
      return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector !== undefined);
    }
    default:
      return false;
  }
}

/**
 * Constraints: with a quota on cpu or memory, each container must state it, or the pod is
 * refused: `must specify limits.cpu for: app,sidecar` (one line per resource, sorted).
 */
export function podConstraints(tracked: readonly string[], pod: Pod): string[] {
  const required = tracked.filter((n) => MUST_STATE.has(n));
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const stated = computeUsage(parseList(c.resources?.requests), parseList(c.resources?.limits));
    for (const r of required) if (!stated[r]) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(c.name);
  }
  return [...missing.keys()].sort().map((r) => `must specify ${r} for: ${[...missing.get(r)!].sort().join(',')}`);
}
