/**
 * The quota evaluators (pkg/quota/v1/evaluator/core and generic): for one resource, which
 * of a quota's names it counts, what one object is charged, which scopes it is in and what it
 * must state. Pods, Services and PersistentVolumeClaims have their own; every other resource
 * is counted as `count/<resource>.<group>` (and its legacy name: configmaps, secrets,
 * replicationcontrollers, resourcequotas).
 */
import type { PersistentVolumeClaim, Pod, ScopedResourceSelectorRequirement, Service } from 'kubernetes-types/core/v1.js';
import { count, ONE, parseList, type Usage } from './resources.ts';
import { podConstraints, podMatchesScope, podMatchingResources, podUsage } from './pods.ts';

/** Any API object (a Pod, a Service, a KubeObject…): each evaluator reads the kind it counts. */
export type Counted = object;

export interface Evaluator {
  /** The registry key of the resource it counts ("pods", "deployments.apps"). */
  readonly gr: string;
  /** Whether an update is charged (the difference) as well as a create. */
  readonly chargesUpdates: boolean;
  /** The names of `hard` this evaluator counts. */
  matchingResources(hard: readonly string[]): string[];
  /** What one object is charged; `nowMs` lets a pod past its grace period be released. */
  usage(obj: Counted, nowMs?: number): Usage;
  /** Whether the object is in one scope requirement (objects without scopes match none but the empty set). */
  matchesScope(sel: ScopedResourceSelectorRequirement, obj: Counted): boolean;
  /** Why the object cannot be admitted under a quota tracking `tracked` (empty when it can). */
  constraints(tracked: readonly string[], obj: Counted): string[];
}

/** `count/<resource>.<group>`, `count/<resource>` in the core group. */
export const objectCountName = (gr: string): string => `count/${gr}`;

/** The names quota used before `count/…` existed, by registry key. */
const LEGACY_COUNT: Readonly<Record<string, string>> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

const noScope = (): boolean => true;
const noConstraints = (): string[] => [];
const within = (names: readonly string[]) => (hard: readonly string[]) => hard.filter((n) => names.includes(n));

function objectCount(gr: string): Evaluator {
  const names = [objectCountName(gr), ...(LEGACY_COUNT[gr] ? [LEGACY_COUNT[gr]] : [])];
  return {
    gr,
    chargesUpdates: false,
    matchingResources: within(names),
    usage: () => Object.fromEntries(names.map((n) => [n, ONE])),
    matchesScope: noScope,
    constraints: noConstraints,
  };
}

const podEvaluator: Evaluator = {
  gr: 'pods',
  chargesUpdates: false,
  matchingResources: podMatchingResources,
  usage: (obj, nowMs) => podUsage(obj as Pod, nowMs),
  matchesScope: (sel, obj) => podMatchesScope(sel, obj as Pod),
  constraints: (tracked, obj) => podConstraints(tracked, obj as Pod),
};

const SERVICE_RESOURCES = ['services', 'count/services', 'services.loadbalancers', 'services.nodeports'];

const serviceEvaluator: Evaluator = {
  gr: 'services',
  chargesUpdates: true,
  matchingResources: within(SERVICE_RESOURCES),
  usage(obj) {
    const spec = (obj as Service).spec ?? {};
    const out: Record<string, Usage[string]> = { services: ONE, 'count/services': ONE };
    const ports = spec.ports ?? [];
    if (spec.type === 'NodePort') out['services.nodeports'] = count(ports.length);
    if (spec.type === 'LoadBalancer') {
      // With node ports suppressed only the ports that ask for one explicitly use one.
      const used = spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort !== undefined && p.nodePort !== 0).length : ports.length;
      out['services.nodeports'] = count(used);
      out['services.loadbalancers'] = ONE;
    }
    return out;
  },
  matchesScope: noScope,
  constraints: noConstraints,
};

/** `<class>.storageclass.storage.k8s.io/<name>`: a claim's charge under its StorageClass. */
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

const claimEvaluator: Evaluator = {
  gr: 'persistentvolumeclaims',
  chargesUpdates: true,
  matchingResources: (hard) =>
    hard.filter((n) => ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'].includes(n) || (n.includes(STORAGE_CLASS_SUFFIX) && /\/(requests\.storage|persistentvolumeclaims)$/.test(n))),
  usage(obj) {
    const pvc = obj as PersistentVolumeClaim;
    const out: Record<string, Usage[string]> = { persistentvolumeclaims: ONE, 'count/persistentvolumeclaims': ONE };
    const storage = parseList(pvc.spec?.resources?.requests)['storage'];
    const cls = pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'];
    if (storage) out['requests.storage'] = storage;
    if (cls) {
      out[`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = ONE;
      if (storage) out[`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
    }
    return out;
  },
  matchesScope: noScope,
  constraints: noConstraints,
};

const SPECIAL: Readonly<Record<string, Evaluator>> = { pods: podEvaluator, services: serviceEvaluator, persistentvolumeclaims: claimEvaluator };

/** The evaluator of a resource by its registry key; every resource has one (its object count at least). */
export function evaluatorFor(gr: string): Evaluator {
  return SPECIAL[gr] ?? objectCount(gr);
}
