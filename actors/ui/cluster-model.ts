/**
 * The cluster view's model: objects in (as watch events: add, update, delete), aggregated
 * rows out. It keeps one small row per object — never the objects — so 50,000 pods cost a
 * few MB here and nothing in the browser until a window of them is asked for. Pure: the
 * live source (cluster-live.ts) feeds it from the process's shared informers, a replay
 * feeds it the apiserver's watch events from the log.
 */
import type { JsonObject } from '../../api/json.ts';
import { arr, metaOf, nameOf, num, obj, specOf, statusOf, str } from '../../api/tables/meta.ts';
import { podStatusCells } from '../../api/tables/pods.ts';
import { nodePrinter, servicePrinter } from '../../api/tables/core.ts';
import { Listeners } from '../../bus/listeners.ts';
import type {
  ClusterList, ClusterSource, ClusterSummary, EventRow, NodeRow, PhaseCounts, PodRow, RowOf, ServiceRow, Window, WindowQuery, WorkloadRow,
} from './source.ts';

/** How many pod names a node row carries (the rest are fetched when the row is opened). */
export const PODS_PER_NODE_ROW = 12;
/** Events kept: the most recent (by last timestamp). */
export const EVENTS_KEPT = 500;

/** The kinds the model aggregates, by their `kind`. */
export const MODEL_KINDS = ['Node', 'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController', 'Service', 'EndpointSlice', 'Event'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type ModelChange = 'add' | 'update' | 'delete';

const key = (o: JsonObject): string => {
  const ns = str(metaOf(o).namespace);
  return ns ? `${ns}/${nameOf(o)}` : nameOf(o);
};

/** Rows sorted by a key, re-sorted only when the set changed since the last window. */
class SortedRows<R> {
  readonly map = new Map<string, R>();
  #sorted: string[] | undefined;
  set(k: string, r: R): void {
    if (!this.map.has(k)) this.#sorted = undefined;
    this.map.set(k, r);
  }
  delete(k: string): void {
    if (this.map.delete(k)) this.#sorted = undefined;
  }
  window(q: WindowQuery, order?: (a: R, b: R) => number): Window<R> {
    let keys = (this.#sorted ??= order ? [...this.map.entries()].sort((a, b) => order(a[1], b[1])).map((e) => e[0]) : [...this.map.keys()].sort());
    if (q.filter) keys = keys.filter((k) => k.includes(q.filter!));
    const offset = Math.max(0, Math.min(q.offset, keys.length));
    return { total: keys.length, offset, rows: keys.slice(offset, offset + Math.max(0, q.limit)).map((k) => this.map.get(k)!) };
  }
}

/** kubectl rollout status's wording for a Deployment. */
function deploymentRollout(d: JsonObject): Pick<WorkloadRow, 'rollout' | 'message'> {
  const spec = specOf(d), st = statusOf(d), name = nameOf(d);
  const desired = num(spec.replicas, 1), updated = num(st.updatedReplicas), replicas = num(st.replicas), available = num(st.availableReplicas);
  const progressing = arr(st.conditions).map(obj).find((c) => c.type === 'Progressing');
  if (spec.paused === true) return { rollout: 'paused', message: `deployment "${name}" is paused` };
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { rollout: 'failed', message: `deployment "${name}" exceeded its progress deadline` };
  if (num(metaOf(d).generation) > num(st.observedGeneration)) return { rollout: 'progressing', message: 'Waiting for deployment spec update to be observed...' };
  const wait = `Waiting for deployment "${name}" rollout to finish: `;
  if (updated < desired) return { rollout: 'progressing', message: `${wait}${updated} out of ${desired} new replicas have been updated...` };
  if (replicas > updated) return { rollout: 'progressing', message: `${wait}${replicas - updated} old replicas are pending termination...` };
  if (available < updated) return { rollout: 'progressing', message: `${wait}${available} of ${updated} updated replicas are available...` };
  return desired === 0 ? { rollout: 'scaled-down', message: `deployment "${name}" successfully rolled out` } : { rollout: 'complete', message: `deployment "${name}" successfully rolled out` };
}

function workloadRow(kind: string, o: JsonObject): WorkloadRow {
  const spec = specOf(o), st = statusOf(o);
  const base = { kind, namespace: str(metaOf(o).namespace), name: nameOf(o) };
  switch (kind) {
    case 'Deployment':
      return { ...base, desired: num(spec.replicas, 1), ready: num(st.readyReplicas), updated: num(st.updatedReplicas), available: num(st.availableReplicas), ...deploymentRollout(o) };
    case 'DaemonSet': {
      const desired = num(st.desiredNumberScheduled), ready = num(st.numberReady), updated = num(st.updatedNumberScheduled), available = num(st.numberAvailable);
      const done = updated >= desired && available >= desired;
      return { ...base, desired, ready, updated, available, rollout: done ? 'complete' : 'progressing', message: done ? `daemon set "${base.name}" successfully rolled out` : `Waiting for daemon set "${base.name}" rollout to finish: ${available} of ${desired} updated pods are available...` };
    }
    case 'Job': {
      const completions = num(spec.completions, 1), succeeded = num(st.succeeded);
      const failed = arr(st.conditions).map(obj).find((c) => c.type === 'Failed' && c.status === 'True');
      return { ...base, desired: completions, ready: num(st.ready), updated: succeeded, available: num(st.active), rollout: failed ? 'failed' : succeeded >= completions ? 'complete' : 'progressing', ...(failed ? { message: str(failed.message) } : {}) };
    }
    default: {
      // StatefulSet, ReplicaSet, ReplicationController: replicas against ready ones.
      const desired = num(spec.replicas, 1), ready = num(st.readyReplicas), updated = num(kind === 'StatefulSet' ? st.updatedReplicas : st.fullyLabeledReplicas, ready), available = num(st.availableReplicas, ready);
      return { ...base, desired, ready, updated, available, rollout: desired === 0 ? 'scaled-down' : ready >= desired ? 'complete' : 'progressing' };
    }
  }
}

function eventRow(e: JsonObject): EventRow {
  const io = obj(e.involvedObject ?? e.regarding);
  const when = str(e.lastTimestamp) || str(e.eventTime) || str(metaOf(e).creationTimestamp);
  return {
    namespace: str(metaOf(e).namespace),
    type: str(e.type, 'Normal'),
    reason: str(e.reason),
    object: `${str(io.kind)}/${str(io.name)}`,
    message: str(e.message ?? e.note),
    count: num(e.count, num(obj(e.series).count, 1)),
    at: when ? Date.parse(when) : 0,
  };
}

/** A pod's phase as the counts show it: Terminating while it is being deleted. */
const phaseOf = (p: PodRow): string => (p.status === 'Terminating' ? 'Terminating' : p.phase || 'Pending');

/** Adds `by` to `counts[phase]`; a count that reaches 0 is removed (counts list only what there is). */
function count(counts: PhaseCounts, phase: string, by: number): void {
  const n = (counts[phase] ?? 0) + by;
  if (n > 0) counts[phase] = n;
  else delete counts[phase];
}

/** A kind owned by a Deployment is shown under it, not on its own (as `kubectl get deploy` does). */
const ownedByDeployment = (o: JsonObject): boolean => arr(metaOf(o).ownerReferences).some((r) => obj(r).kind === 'Deployment');

export class ClusterModel implements ClusterSource {
  #rev = 0;
  readonly #now: () => number;
  readonly #nodes = new SortedRows<NodeRow>();
  readonly #pods = new Map<string, PodRow>();
  /** Pod keys by node ('' = unscheduled), each set in insertion order; sorted when windowed. */
  readonly #byNode = new Map<string, Set<string>>();
  readonly #workloads = new SortedRows<WorkloadRow>();
  readonly #services = new SortedRows<ServiceRow>();
  readonly #slices = new Map<string, { service: string; ready: string[]; notReady: string[] }>();
  readonly #events = new SortedRows<EventRow>();
  /** Pods by phase, kept as pods change: a frame's summary must not walk every pod. */
  readonly #byPhase: PhaseCounts = {};
  readonly #changed = new Listeners<[number]>();
  #scheduled = false;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Applies one watch event of a kind in MODEL_KINDS (others are ignored). */
  apply(kind: string, change: ModelChange, o: JsonObject): void {
    const k = key(o);
    const gone = change === 'delete';
    switch (kind) {
      case 'Node':
        if (gone) this.#nodes.delete(k);
        else this.#nodes.set(k, this.#nodeRow(o));
        break;
      case 'Pod':
        this.#setPod(k, gone ? undefined : o);
        break;
      case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'Job': case 'ReplicaSet': case 'ReplicationController':
        if (gone || (kind === 'ReplicaSet' && ownedByDeployment(o)) || (kind === 'Job' && arr(metaOf(o).ownerReferences).length > 0)) this.#workloads.delete(`${k} ${kind}`);
        else this.#workloads.set(`${k} ${kind}`, workloadRow(kind, o));
        break;
      case 'Service':
        if (gone) this.#services.delete(k);
        else this.#services.set(k, this.#serviceRow(o, k));
        break;
      case 'EndpointSlice':
        this.#setSlice(k, gone ? undefined : o);
        break;
      case 'Event':
        if (gone) this.#events.delete(k);
        else this.#setEvent(k, eventRow(o));
        break;
      default:
        return;
    }
    this.#bump();
  }

  summary(): ClusterSummary {
    let ready = 0;
    for (const n of this.#nodes.map.values()) if (n.ready) ready++;
    return {
      rev: this.#rev,
      nodes: { total: this.#nodes.map.size, ready },
      pods: { total: this.#pods.size, byPhase: { ...this.#byPhase }, unscheduled: this.#byNode.get('')?.size ?? 0 },
      workloads: this.#workloads.map.size,
      services: this.#services.map.size,
      events: this.#events.map.size,
    };
  }

  window<L extends ClusterList>(list: L, q: WindowQuery): Window<RowOf[L]> {
    switch (list) {
      case 'nodes': return this.#nodes.window(q) as Window<RowOf[L]>;
      case 'workloads': return this.#workloads.window(q) as Window<RowOf[L]>;
      case 'services': return this.#services.window(q) as Window<RowOf[L]>;
      // Newest first.
      default: return this.#events.window(q, (a, b) => b.at - a.at) as Window<RowOf[L]>;
    }
  }

  pods(node: string, q: WindowQuery): Window<PodRow> {
    let keys = [...(this.#byNode.get(node) ?? [])].sort();
    if (q.filter) keys = keys.filter((k) => k.includes(q.filter!));
    const offset = Math.max(0, Math.min(q.offset, keys.length));
    return { total: keys.length, offset, rows: keys.slice(offset, offset + q.limit).map((k) => this.#pods.get(k)!) };
  }

  onChange(listener: (rev: number) => void): () => void {
    return this.#changed.add(listener);
  }

  get rev(): number {
    return this.#rev;
  }

  /** Changes are told once per turn, however many objects a watch batch carried. */
  #bump(): void {
    this.#rev++;
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#changed.emit(this.#rev);
    });
  }

  #nodeRow(o: JsonObject): NodeRow {
    const status = String(nodePrinter.cells(o, this.#now())[1]);
    const row: NodeRow = { name: nameOf(o), ready: status.startsWith('Ready'), status, unschedulable: specOf(o).unschedulable === true, pods: 0, byPhase: {}, podNames: [] };
    return this.#countNode(row);
  }

  /** Fills a node row's pod counts and first names from the pods bound to it. */
  #countNode(row: NodeRow): NodeRow {
    const keys = this.#byNode.get(row.name) ?? new Set<string>();
    row.pods = keys.size;
    row.byPhase = {};
    for (const k of keys) count(row.byPhase, phaseOf(this.#pods.get(k)!), 1);
    this.#nameNode(row, keys);
    return row;
  }

  #nameNode(row: NodeRow, keys: ReadonlySet<string>): void {
    const sorted = [...keys].sort();
    row.podNames = sorted.length <= PODS_PER_NODE_ROW ? sorted : sorted.slice(0, PODS_PER_NODE_ROW);
  }

  /**
   * Counts change by the pod's step alone (most updates are a phase or readiness change of a
   * pod that stays on its node): no node's pods are walked or sorted again unless one joins or
   * leaves it.
   */
  #setPod(k: string, o: JsonObject | undefined): void {
    const old = this.#pods.get(k);
    const row = o && this.#podRow(o);
    const moved = old?.node !== row?.node;
    if (old && moved) this.#byNode.get(old.node ?? '')?.delete(k);
    if (row) {
      this.#pods.set(k, row);
      let set = this.#byNode.get(row.node ?? '');
      if (!set) this.#byNode.set(row.node ?? '', (set = new Set()));
      set.add(k);
    } else this.#pods.delete(k);
    if (old) count(this.#byPhase, phaseOf(old), -1);
    if (row) count(this.#byPhase, phaseOf(row), 1);
    const oldNode = old?.node ? this.#nodes.map.get(old.node) : undefined;
    const newNode = row?.node ? this.#nodes.map.get(row.node) : undefined;
    if (oldNode && old) count(oldNode.byPhase, phaseOf(old), -1);
    if (newNode && row) count(newNode.byPhase, phaseOf(row), 1);
    if (!moved) return;
    for (const n of [oldNode, newNode]) {
      if (!n) continue;
      const keys = this.#byNode.get(n.name) ?? new Set<string>();
      n.pods = keys.size;
      this.#nameNode(n, keys);
    }
  }

  #podRow(o: JsonObject): PodRow {
    const cells = podStatusCells(o, this.#now());
    const owner = arr(metaOf(o).ownerReferences).map(obj).find((r) => r.controller === true);
    const node = str(specOf(o).nodeName);
    return {
      namespace: str(metaOf(o).namespace),
      name: nameOf(o),
      status: cells.reason,
      phase: str(statusOf(o).phase),
      ...(node ? { node } : {}),
      ready: cells.ready,
      restarts: Number.parseInt(cells.restarts, 10) || 0,
      ...(owner ? { owner: `${str(owner.kind)}/${str(owner.name)}` } : {}),
    };
  }

  #serviceRow(o: JsonObject, k: string): ServiceRow {
    const cells = servicePrinter.cells(o, this.#now()).map(String);
    const row: ServiceRow = { namespace: str(metaOf(o).namespace), name: nameOf(o), type: cells[1]!, ports: cells[4]!, endpoints: [], readyEndpoints: 0, notReadyEndpoints: 0 };
    if (cells[2] !== '<none>') row.clusterIP = cells[2]!;
    return this.#fillEndpoints(row, k);
  }

  /** A Service's endpoints, from every EndpointSlice labelled with its name (ready first, at most 20 shown). */
  #fillEndpoints(row: ServiceRow, serviceKey: string): ServiceRow {
    const ready: string[] = [], notReady: string[] = [];
    for (const s of this.#slices.values()) {
      if (s.service !== serviceKey) continue;
      ready.push(...s.ready);
      notReady.push(...s.notReady);
    }
    row.readyEndpoints = ready.length;
    row.notReadyEndpoints = notReady.length;
    row.endpoints = [...ready, ...notReady].slice(0, 20);
    return row;
  }

  #setSlice(k: string, o: JsonObject | undefined): void {
    const old = this.#slices.get(k);
    if (o) {
      const svc = str(obj(metaOf(o).labels)['kubernetes.io/service-name']);
      const ports = arr(o.ports).map((p) => num(obj(p).port));
      const ready: string[] = [], notReady: string[] = [];
      for (const e of arr(o.endpoints).map(obj)) {
        const ok = obj(e.conditions).ready !== false;
        for (const ip of arr(e.addresses).map(String)) for (const p of ports.length ? ports : [0]) (ok ? ready : notReady).push(p ? `${ip}:${p}` : ip);
      }
      this.#slices.set(k, { service: `${str(metaOf(o).namespace)}/${svc}`, ready, notReady });
    } else this.#slices.delete(k);
    for (const svc of new Set([old?.service, this.#slices.get(k)?.service])) {
      const row = svc ? this.#services.map.get(svc) : undefined;
      if (row && svc) this.#fillEndpoints(row, svc);
    }
  }

  /** Keeps the newest EVENTS_KEPT events. */
  #setEvent(k: string, row: EventRow): void {
    this.#events.set(k, row);
    if (this.#events.map.size <= EVENTS_KEPT) return;
    let oldest: [string, EventRow] | undefined;
    for (const e of this.#events.map) if (!oldest || e[1].at < oldest[1].at) oldest = e;
    if (oldest) this.#events.delete(oldest[0]);
  }
}
