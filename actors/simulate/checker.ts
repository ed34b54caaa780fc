/**
 * Feeds the invariant predicates (machines/simulate/invariants.ts) as the simulation runs:
 * a mirror of the store built from every write the kv applied (FaultyKv.onApplied), the
 * bus's traffic (a tap: acknowledged writes, granted evictions, watch batches) and the
 * runtime's running pods. The first violation is kept with the virtual time and the bus
 * seq it was seen at; the simulation stops there.
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Bus } from '../../bus/bus.ts';
import type { Clock } from '../../base/clock.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import type { Result } from '../../base/status.ts';
import type { KubeObject } from '../../base/object.ts';
import type { ApiTarget, WatchEvent, WriteReply } from '../../bus/catalogue/api.ts';
import type { KvEvent, KvOp } from '../../bus/catalogue/kv.ts';
import { APISERVER_ADDRESS, KV_ADDRESS } from '../../bus/permissions.ts';
import { groupResource, objectStorageKey } from '../apiserver/storage-keys.ts';
import { controllerOf } from '../../machines/controllers/owners.ts';
import { labelSelectorMatches } from '../../api/selectors/labels.ts';
import { INITIAL_EVENTS_END } from '../apiserver/watchers.ts';
import type { KvBackend } from '../kv/backend.ts';
import {
  ackedWriteKept,
  noGcOrphans,
  onePodPerOrdinal,
  pdbRespected,
  podBoundOnce,
  watchRvIncreases,
  workloadsConverge,
  type AckedWrite,
  type InvariantName,
  type StoreView,
} from '../../machines/simulate/invariants.ts';
import type { RunningPods } from './running-pods.ts';

export interface Violation {
  invariant: InvariantName;
  message: string;
  /** Virtual time (ms since the epoch) it was seen at. */
  at: number;
  /** The last bus envelope seq seen before it. */
  seq: number;
  /** The recording's entries up to it: `replay --at ENTRY` shows the cluster there. */
  entry: number;
}

/** Resources the orphan check walks: those the garbage collector has dependents in. */
const OWNED = ['pods', 'replicasets.apps', 'controllerrevisions.apps', 'endpointslices.discovery.k8s.io'];

const WRITES = new Set(['api.create', 'api.update', 'api.patch']);

const PDB_PREFIX = '/registry/poddisruptionbudgets.policy/';

export class Checker {
  readonly #objects = new Map<string, KubeObject>();
  readonly #uids = new Map<string, number>();
  readonly #boundTo = new Map<string, string>();
  /** Writes acknowledged since the last tick, checked against the store's history then. */
  #acked: AckedWrite[] = [];
  readonly #requests = new Map<string, { type: string; target: ApiTarget }>();
  /** Per watch (receiver + id): the last resourceVersion, or null until its initial events end. */
  readonly #watches = new Map<string, number | null>();
  /**
   * Per evicted pod ("namespace/name"): its budget as the eviction's grant wrote it (the pod
   * added to status.disruptedPods) — the status the eviction was granted on. By the time the
   * eviction is answered, the disruption controller may have written a newer one.
   */
  readonly #grantedOn = new Map<string, PodDisruptionBudget>();
  #seq = 0;
  violation: Violation | null = null;
  /** How many times each invariant was evaluated. */
  readonly checks: Record<InvariantName, number> = {
    'acknowledged-write-kept': 0,
    'watch-rv-increases': 0,
    'pod-bound-once': 0,
    'one-pod-per-ordinal': 0,
    'pdb-respected': 0,
    'workloads-converge': 0,
    'no-gc-orphans': 0,
  };

  constructor(
    private readonly clock: Clock,
    private readonly backend: KvBackend,
    private readonly running: RunningPods,
    /** The recording's entry count now. */
    private readonly position: () => number = () => 0,
  ) {}

  /** Observes `bus` (returns the function that stops it). */
  attach(bus: Bus): () => void {
    return bus.tap((env) => this.#onEnvelope(env));
  }

  fail(invariant: InvariantName, message: string | null): boolean {
    this.checks[invariant]++;
    if (message === null || this.violation !== null) return message !== null;
    this.violation = { invariant, message, at: this.clock.now(), seq: this.#seq, entry: this.position() };
    return true;
  }

  /** Every txn the store applied, in revision order. */
  applied(ops: KvOp[], revision: number): void {
    for (const op of ops) {
      const prev = this.#objects.get(op.key);
      if (prev) this.#forgetUid(prev);
      if (op.op === 'delete') {
        this.#objects.delete(op.key);
        continue;
      }
      const obj = op.value as KubeObject;
      this.#objects.set(op.key, obj);
      if (op.key.startsWith(PDB_PREFIX)) this.#noteGrants(prev as PodDisruptionBudget | undefined, obj as PodDisruptionBudget);
      const uid = obj.metadata?.uid;
      if (uid) this.#uids.set(uid, (this.#uids.get(uid) ?? 0) + 1);
      if (op.key.startsWith('/registry/pods/') && uid) {
        const node = (obj as Pod).spec?.nodeName;
        this.fail('pod-bound-once', podBoundOnce(`${obj.metadata?.namespace}/${obj.metadata?.name} (uid ${uid}, revision ${revision})`, this.#boundTo.get(uid), node));
        if (node) this.#boundTo.set(uid, node);
      }
    }
  }

  #noteGrants(prev: PodDisruptionBudget | undefined, next: PodDisruptionBudget): void {
    const before = prev?.status?.disruptedPods ?? {};
    for (const pod of Object.keys(next.status?.disruptedPods ?? {})) {
      if (!(pod in before)) this.#grantedOn.set(`${next.metadata?.namespace ?? ''}/${pod}`, next);
    }
  }

  #forgetUid(o: KubeObject): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const n = (this.#uids.get(uid) ?? 1) - 1;
    if (n <= 0) this.#uids.delete(uid);
    else this.#uids.set(uid, n);
  }

  /** The store now (the mirror). */
  view(): StoreView {
    return {
      byKind: (resource) => {
        const prefix = `/registry/${resource}/`;
        const out: KubeObject[] = [];
        for (const [k, o] of this.#objects) if (k.startsWith(prefix)) out.push(o);
        return out;
      },
      hasUid: (uid) => this.#uids.has(uid),
    };
  }

  /** The periodic checks: acknowledged writes against the store's history, and running StatefulSet pods. */
  async tick(): Promise<void> {
    const acked = this.#acked;
    this.#acked = [];
    for (const w of acked) {
      if (w.rv <= this.backend.compactRevision()) continue;
      const r = await this.backend.get(w.key, w.rv);
      if (this.fail('acknowledged-write-kept', ackedWriteKept(w, r.kv))) return;
    }
    const sts = (ns: string, name: string): boolean => {
      const o = this.#objects.get(objectStorageKey('pods', ns, name));
      return o !== undefined && controllerOf(o)?.kind === 'StatefulSet';
    };
    this.fail('one-pod-per-ordinal', onePodPerOrdinal(this.running.running(), sts));
  }

  /** After the faults stopped and the bound passed: every workload converged, no orphan left. */
  settled(): void {
    const v = this.view();
    if (this.fail('workloads-converge', workloadsConverge(v))) return;
    this.fail('no-gc-orphans', noGcOrphans(v, OWNED));
  }

  #onEnvelope(env: Envelope): void {
    if ((env as { lost?: boolean }).lost) return;
    if (env.seq > this.#seq) this.#seq = env.seq;
    if (env.to === KV_ADDRESS && env.type === 'kv.watch') {
      const p = env.payload as { id: string; afterRevision: number };
      this.#watches.set(`kv:${env.from}\u0000${p.id}`, p.afterRevision);
      return;
    }
    if (env.to === APISERVER_ADDRESS && env.corr !== undefined) {
      if (WRITES.has(env.type)) this.#requests.set(env.corr, { type: env.type, target: (env.payload as { target: ApiTarget }).target });
      else if (env.type === 'api.watch') this.#watchStarts(env);
      return;
    }
    if (env.type === REPLY && env.corr !== undefined) return this.#onReply(env);
    if (env.type === 'api.watch-events') return this.#onWatchBatch(env);
    if (env.type === 'kv.events' && env.from === KV_ADDRESS) return this.#onKvEvents(env);
  }

  #watchStarts(env: Envelope): void {
    const p = env.payload as { id: string; options?: { resourceVersion?: string } };
    const rv = p.options?.resourceVersion;
    this.#watches.set(`${env.from}\u0000${p.id}`, rv && rv !== '0' ? Number(rv) : null);
  }

  #onReply(env: Envelope): void {
    const req = this.#requests.get(env.corr!);
    if (req === undefined) return;
    this.#requests.delete(env.corr!);
    const r = env.payload as Result<WriteReply>;
    if (!r.ok) return;
    const t = req.target;
    if (t.subresource === 'eviction') return this.#evicted(t);
    const obj = r.value.object;
    const rv = Number(obj.metadata?.resourceVersion);
    const name = obj.metadata?.name ?? t.name;
    if (!name || !Number.isFinite(rv)) return;
    const key = objectStorageKey(groupResource(t.group, t.resource), obj.metadata?.namespace ?? t.namespace, name);
    this.#acked.push({ key, rv, terminating: obj.metadata?.deletionTimestamp !== undefined });
  }

  #evicted(t: ApiTarget): void {
    const ns = t.namespace ?? '';
    const pods = this.view().byKind('pods').filter((p) => p.metadata?.namespace === ns) as Pod[];
    const pod = pods.find((p) => p.metadata?.name === t.name);
    const evicted = `${ns}/${t.name}`;
    const granted = this.#grantedOn.get(evicted);
    this.#grantedOn.delete(evicted);
    for (const pdb of this.view().byKind('poddisruptionbudgets.policy') as PodDisruptionBudget[]) {
      if (pdb.metadata?.namespace !== ns || pod === undefined || !labelSelectorMatches(pdb.spec?.selector, pod.metadata?.labels)) continue;
      const asGranted = granted !== undefined && granted.metadata?.name === pdb.metadata?.name ? granted : pdb;
      if (this.fail('pdb-respected', pdbRespected(evicted, asGranted, pods))) return;
    }
  }

  #onWatchBatch(env: Envelope): void {
    const { id, events } = env.payload as { id: string; events: WatchEvent[] };
    const key = `${env.to}\u0000${id}`;
    if (!this.#watches.has(key)) return;
    let prev = this.#watches.get(key)!;
    for (const e of events) {
      const rv = Number(e.object.metadata?.resourceVersion);
      if (prev === null) {
        if (e.type === 'BOOKMARK' && e.object.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true') prev = rv;
        continue;
      }
      if (this.fail('watch-rv-increases', watchRvIncreases(`${env.to}#${id}`, prev, rv, e.type))) return;
      prev = rv;
    }
    this.#watches.set(key, prev);
  }

  /** The kv's own watches (to the apiserver's watch cache): revisions strictly increase too. */
  #onKvEvents(env: Envelope): void {
    const { id, events } = env.payload as { id: string; events: KvEvent[] };
    const key = `kv:${env.to}\u0000${id}`;
    let prev = this.#watches.get(key);
    if (prev === undefined || prev === null) return;
    for (const e of events) {
      if (this.fail('watch-rv-increases', watchRvIncreases(`kv→${env.to}#${id}`, prev, e.kv.modRevision, 'kv'))) return;
      prev = e.kv.modRevision;
    }
    this.#watches.set(key, prev);
  }
}
