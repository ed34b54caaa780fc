/**
 * Resource arithmetic in plain numbers (framework.Resource): milli-CPU, bytes, and integer
 * counts for everything else. Quantities are parsed once per pod or node, never per node
 * visited, because filters and scores run thousands of times per pod.
 */
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, toMilli, toUnits } from '../../api/quantity.ts';

/** Requested or allocatable resources. `scalars` holds extended resources, hugepages, etc. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Allocatable only: the node's `pods` capacity. */
  allowedPods: number;
  scalars: Map<string, number>;
}

/** The defaults the scoring plugins assume for a container without requests (non-zero requests). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/**
 * The scalars of Resources that have none, shared: most pods and nodes have no extended
 * resources, and a cycle computes several Resources per pod. Never written: the writers
 * below give a Resources its own map first (ownScalars).
 */
const NO_SCALARS: Map<string, number> = new Map();

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPods: 0, scalars: NO_SCALARS };
}

function ownScalars(r: Resources): Map<string, number> {
  if (r.scalars === NO_SCALARS) r.scalars = new Map();
  return r.scalars;
}

const parsed = new Map<string, number>();

/** A quantity as a number: milli-units for cpu, whole units (rounded up) otherwise; junk is 0. */
export function quantityValue(resource: string, text: string | number | undefined): number {
  if (text === undefined) return 0;
  const key = `${resource === 'cpu' ? 'm' : 'u'}${text}`;
  let v = parsed.get(key);
  if (v === undefined) {
    const r = parseQuantity(String(text));
    v = r.ok ? Number(resource === 'cpu' ? toMilli(r.value) : toUnits(r.value)) : 0;
    if (parsed.size > 50_000) parsed.clear(); // a memo, not a store: bound it
    parsed.set(key, v);
  }
  return v;
}

type ResourceList = Readonly<Record<string, string | number>> | undefined;

/** Adds a ResourceList into `into` (in place). */
export function addList(into: Resources, list: ResourceList): void {
  if (!list) return;
  for (const name in list) addOne(into, name, quantityValue(name, list[name]));
}

function addOne(into: Resources, name: string, v: number): void {
  switch (name) {
    case 'cpu': into.milliCPU += v; break;
    case 'memory': into.memory += v; break;
    case 'ephemeral-storage': into.ephemeralStorage += v; break;
    case 'pods': into.allowedPods += v; break;
    default: ownScalars(into).set(name, (into.scalars.get(name) ?? 0) + v);
  }
}

/** `into` = max(into, other) per resource. */
function maxInto(into: Resources, other: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, other.milliCPU);
  into.memory = Math.max(into.memory, other.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, other.ephemeralStorage);
  for (const [k, v] of other.scalars) ownScalars(into).set(k, Math.max(into.scalars.get(k) ?? 0, v));
}

/** `into` += other per resource. */
export function addResources(into: Resources, other: Resources, sign: 1 | -1 = 1): void {
  into.milliCPU += sign * other.milliCPU;
  into.memory += sign * other.memory;
  into.ephemeralStorage += sign * other.ephemeralStorage;
  for (const [k, v] of other.scalars) {
    const n = (into.scalars.get(k) ?? 0) + sign * v;
    if (n === 0) into.scalars.delete(k);
    else ownScalars(into).set(k, n);
  }
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = emptyResources();
  addList(r, c.resources?.requests);
  if (nonZero) {
    if (!c.resources?.requests || !('cpu' in c.resources.requests)) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!c.resources?.requests || !('memory' in c.resources.requests)) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * resourcehelper.PodRequests: the sum of the app containers, raised to the largest init
 * container (plus the restartable sidecars started before it), plus spec.overhead.
 * Sidecars (init containers with restartPolicy Always) keep running, so they also add to
 * the sum. `nonZero` fills missing cpu/memory requests with the scoring defaults.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const sum = emptyResources();
  for (const c of pod.spec?.containers ?? []) addResources(sum, containerRequests(c, nonZero));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const req = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResources(sum, req);
      addResources(sidecars, req);
      maxInto(initMax, sidecars);
    } else {
      addResources(req, sidecars);
      maxInto(initMax, req);
    }
  }
  maxInto(sum, initMax);
  addList(sum, pod.spec?.overhead);
  return sum;
}

/** The node's status.allocatable (falling back to capacity, as a kubelet-less node reports). */
export function nodeAllocatable(node: Node): Resources {
  const r = emptyResources();
  addList(r, node.status?.allocatable ?? node.status?.capacity);
  return r;
}
