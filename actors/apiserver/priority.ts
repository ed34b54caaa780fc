/**
 * The Priority admission plugin (plugin/pkg/admission/priority) and the PriorityClass
 * storage's delete rule: a pod created with spec.priorityClassName gets that class's value
 * and preemptionPolicy (a missing class is refused); a pod without one gets the global
 * default class's, or priority 0. A pod may not state a priority or policy that differs
 * from what its class gives. Only one PriorityClass may be the global default, and the
 * system classes may not be deleted.
 */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { fail, ok, type Result, type Status } from '../../base/status.ts';
import { DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS, SYSTEM_PRIORITY_CLASSES, globalDefaultClass } from '../../api/scheduling/priority-classes.ts';
import { admissionForbidden } from './admission.ts';
import type { ServerContext } from './context.ts';
import type { ResourceInfo } from './resources.ts';
import type { KubeObject } from './types.ts';
import { readCurrent } from './store.ts';
import { objectStorageKey } from './storage-keys.ts';

const PRIORITY_CLASSES = 'priorityclasses.scheduling.k8s.io';

function classes(s: ServerContext): Iterable<PriorityClass> {
  return (s.cache.resources.get(PRIORITY_CLASSES)?.items.values() ?? []) as Iterable<PriorityClass>;
}

/** The named class from the cache (at once), or from storage when the cache has not seen it yet. */
function priorityClass(s: ServerContext, name: string): Result<PriorityClass | undefined> | Promise<Result<PriorityClass | undefined>> {
  const key = objectStorageKey(PRIORITY_CLASSES, undefined, name);
  const cached = s.cache.resources.get(PRIORITY_CLASSES)?.items.get(key);
  if (cached) return ok(cached as unknown as PriorityClass);
  return readCurrent(s, key).then((cur) => (cur.ok ? ok(cur.value?.obj as unknown as PriorityClass | undefined) : cur));
}

/**
 * Priority admission on pod create: the pod with its priority resolved, or the 403 to answer.
 * A promise only when the class must be read from storage (see create.ts).
 */
export function admitPodPriority(s: ServerContext, res: ResourceInfo, pod: KubeObject): Result<KubeObject> | Promise<Result<KubeObject>> {
  if (res.gr !== 'pods') return ok(pod);
  const name = (pod as Pod).spec?.priorityClassName;
  if (!name) return resolvePriority(s, res, pod, undefined);
  const pc = priorityClass(s, name);
  return pc instanceof Promise ? pc.then((r) => resolvePriority(s, res, pod, r)) : resolvePriority(s, res, pod, pc);
}

function resolvePriority(s: ServerContext, res: ResourceInfo, pod: KubeObject, pc: Result<PriorityClass | undefined> | undefined): Result<KubeObject> {
  const spec = { ...(pod as Pod).spec! };
  const name = pod.metadata?.name;
  const refuse = (why: string): Result<KubeObject> => fail(admissionForbidden({ res, name }, why));
  let priority = DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS;
  let policy: string | undefined = 'PreemptLowerPriority';
  if (!spec.priorityClassName) {
    const dpc = globalDefaultClass(classes(s));
    if (dpc) {
      spec.priorityClassName = dpc.metadata!.name!;
      priority = dpc.value;
      policy = dpc.preemptionPolicy;
    }
  } else if (pc) {
    if (!pc.ok) return pc;
    if (!pc.value) return refuse(`no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value.value;
    policy = pc.value.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    return refuse(`the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (policy !== undefined) {
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== policy) {
      return refuse(`the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
  return ok({ ...pod, spec });
}

/** Priority admission on PriorityClass create and update: a second global default is refused (null when allowed). */
export function admitPriorityClass(s: ServerContext, res: ResourceInfo, pc: KubeObject, verb: 'create' | 'update'): Status | null {
  if (res.gr !== PRIORITY_CLASSES || (pc as unknown as PriorityClass).globalDefault !== true) return null;
  const dpc = globalDefaultClass(classes(s));
  const name = pc.metadata?.name;
  if (!dpc || (verb === 'update' && dpc.metadata?.name === name)) return null;
  return admissionForbidden({ res, name }, `PriorityClass ${dpc.metadata?.name ?? ''} is already marked as default. Only one default can exist`);
}

/** The PriorityClass storage's Delete: the system classes stay (null when allowed). */
export function priorityClassDeletion(res: ResourceInfo, name: string): Status | null {
  if (res.gr !== PRIORITY_CLASSES || !SYSTEM_PRIORITY_CLASSES.some((c) => c.metadata?.name === name)) return null;
  return admissionForbidden({ res, name }, 'this is a system priority class and cannot be deleted');
}
