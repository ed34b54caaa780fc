/**
 * The web UI on a recording (`kubeactor replay LOG --ui`): a log positioned at a seq, and
 * at that point what each view shows — the cluster (the store's objects, aggregated as the
 * live cluster view is), the bus messages up to it, and any actor's state, context and
 * recent events, exactly what `kubeactor replay LOG --at SEQ --actor X` prints (the same
 * `runReplay` call: up to SEQ, that actor selected). After a verify, the divergences.
 *
 * Cost: an actor's state is a replay of the log up to the position with that actor (and
 * its companions) selected — about a second for the golden log's 3,600 entries — so only
 * the actors being watched are recomputed when the position moves, and the position is
 * announced once they are; computed states are kept (COMPUTED_KEPT), so scrubbing back over
 * positions already seen is immediate. The cluster and the messages move incrementally forward; going
 * back rebuilds them from the start.
 */
import type { AnyActor, AnyStateMachine } from 'xstate';
import { activeStateIds, chartOf, definitionJson, type ChartDef } from '../../ui/chart/model.ts';
import { Listeners } from '../../bus/listeners.ts';
import { safeJson, sanitize } from '../inspect/sanitize.ts';
import type { LogHeader } from '../record/format.ts';
import { defaultRegistry } from '../replay/builtins.ts';
import type { Divergence } from '../replay/divergence.ts';
import { globMatcher } from '../replay/glob.ts';
import { loadLogs, type Positioned } from '../replay/merge.ts';
import type { ReplayRegistry } from '../replay/registry.ts';
import { runReplay } from '../replay/replayer.ts';
import { admissionWebhooksMachine } from '../../machines/admission-webhooks.ts';
import { apiserverMachine } from '../../machines/apiserver.ts';
import { reconcileMachine } from '../../machines/controllers/reconcile.ts';
import { dnsChart } from '../../machines/dns/chart.ts';
import { informersChart } from '../../machines/informers.ts';
import { kubeProxyChart } from '../../machines/kube-proxy/chart.ts';
import { kubeletMachine } from '../../machines/kubelet/chart.ts';
import { kvMachine } from '../../machines/kv.ts';
import { metricsServerMachine } from '../../machines/metrics-server/chart.ts';
import { podMachine } from '../../machines/pod/chart.ts';
import { schedulerChart } from '../../machines/scheduler/chart.ts';
import { ClusterModel } from './cluster-model.ts';
import { MessageStore } from './messages.ts';
import { actorsAt, eventsOf, indexAt, indexOf, StoreFold } from './replay-log.ts';
import type {
  ActorEvent, ActorInfo, ActorListQuery, ActorSource, ActorState, ActorUpdate, ClusterList, ClusterSource, ClusterSummary, MachineDefinitionJson,
  ReplayControl, ReplayPosition, RowOf, UiDivergence, UiSource, Window, WindowQuery, PodRow,
} from './source.ts';

/** The charts a recording's `start` entries name (a machine's id is its replay registry name). */
const MACHINES: ReadonlyMap<string, AnyStateMachine> = new Map(
  [kvMachine, apiserverMachine, schedulerChart, reconcileMachine, kubeletMachine, podMachine, informersChart, admissionWebhooksMachine, kubeProxyChart, dnsChart, metricsServerMachine].map((m) => [m.id, m as AnyStateMachine]),
);

/** Actor states kept once computed (by position and address). */
export const COMPUTED_KEPT = 512;

/** What `replay --at` shows of an actor: `{address, status, value, context}` as JSON. */
export interface AtView {
  address: string;
  status: string | undefined;
  value: unknown;
  context: unknown;
}

/**
 * The state of `address` right after position `seq`, as `kubeactor replay --at SEQ --actor
 * ADDRESS` computes and prints it (its JSON form), with the chart's machine; undefined when
 * the actor was not replayed (not started by then, or skipped: `reason`).
 */
export async function stateAt(
  entries: readonly Positioned[], header: LogHeader | undefined, registry: ReplayRegistry, seq: number, address: string,
): Promise<{ view: AtView; machine: AnyStateMachine | undefined; diverged?: Divergence } | { reason: string } | undefined> {
  const r = await runReplay(entries, { registry, header, upTo: seq, select: globMatcher(address) });
  const a = r.actors.get(address);
  if (a === undefined) {
    const s = r.skipped.find((x) => x.address === address);
    return s ? { reason: s.reason } : undefined;
  }
  const s = a.snapshot() as { value?: unknown; context?: unknown; status?: string } | undefined;
  // The JSON round trip the CLI's output makes (Maps print as {}, undefined fields vanish). Not
  // safeJson: it marks an object met twice as "[Circular]" even when it is only shared (the pod's empty lists).
  const raw = { address, status: s?.status, value: s?.value, context: s?.context };
  let json: string;
  try {
    json = JSON.stringify(raw);
  } catch {
    json = safeJson(raw);
  }
  const view = JSON.parse(json) as AtView;
  // Replayed with only its companions, an actor can part from the recording (the CLI's --at does not say): the UI can.
  const diverged = r.divergences.find((d) => d.actor === address);
  return { view, machine: (a.actor as AnyActor | undefined)?.logic as AnyStateMachine | undefined, ...(diverged ? { diverged } : {}) };
}

/** A `--verify` divergence as the UI shows it: the first differing path with expected against actual. */
export function uiDivergence(d: Divergence): UiDivergence {
  const expected = d.diff ? d.diff.expected : d.expected;
  const actual = d.diff ? d.diff.actual : d.actual;
  const plain = (v: unknown): unknown => (v === undefined ? undefined : (JSON.parse(safeJson(sanitize(v)) ?? 'null') as unknown));
  return {
    seq: d.i,
    actor: d.actor,
    kind: d.kind,
    message: d.message,
    ...(d.diff ? { path: d.diff.path } : {}),
    ...(expected === undefined ? {} : { expected: plain(expected) }),
    ...(actual === undefined ? {} : { actual: plain(actual) }),
  };
}

/** A cluster view whose model is replaced when the replay goes back (a fresh fold from the start). */
class ReplayCluster implements ClusterSource {
  #model: ClusterModel;
  #off: () => void;
  readonly #changed = new Listeners<[number]>();

  constructor(readonly now: () => number) {
    this.#model = new ClusterModel(now);
    this.#off = this.#model.onChange((rev) => this.#changed.emit(rev));
  }

  get model(): ClusterModel {
    return this.#model;
  }

  reset(): void {
    this.#off();
    this.#model = new ClusterModel(this.now);
    this.#off = this.#model.onChange((rev) => this.#changed.emit(rev));
  }

  summary(): ClusterSummary {
    return this.#model.summary();
  }
  window<L extends ClusterList>(list: L, q: WindowQuery): Window<RowOf[L]> {
    return this.#model.window(list, q);
  }
  pods(node: string, q: WindowQuery): Window<PodRow> {
    return this.#model.pods(node, q);
  }
  onChange(listener: (rev: number) => void): () => void {
    return this.#changed.add(listener);
  }
}

export interface ReplaySourceOptions {
  /** Default: every replayable component of this build. */
  registry?: ReplayRegistry;
  /** The position to open at; default the last entry. */
  seq?: number;
  /** Messages the message view keeps (the most recent up to the position). */
  messagesKept?: number;
  /** Timers for `play` (default the global ones). */
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(t: unknown): void };
}

/**
 * A recording positioned at a seq, serving the UI's views at that point (see the module
 * comment). Positions are log positions (`Positioned.i`, what the timeline prints); so are
 * the message rows' `seq`.
 */
export class ReplaySource implements ReplayControl, ActorSource {
  readonly cluster: ReplayCluster;
  readonly messages: MessageStore;
  readonly #registry: ReplayRegistry;
  readonly #positions = new Listeners<[ReplayPosition]>();
  /** Index of the entry the views show the state after; -1 before the first. */
  #k = -1;
  /** How far the cluster fold and the message store went. */
  #folded = -1;
  #fold = new StoreFold();
  #actorsMemo: { k: number; map: Map<string, ActorInfo> } | undefined;
  /** States at the current position, by address. */
  readonly #states = new Map<string, ActorState>();
  readonly #pending = new Map<string, Promise<void>>();
  readonly #watchers = new Map<string, Set<(u: ActorUpdate) => void>>();
  #generation = 0;
  #divergences: UiDivergence[] | undefined;
  #playing: { speed: number; timer: unknown } | undefined;
  readonly #timers: NonNullable<ReplaySourceOptions['timers']>;
  readonly #charts = new Map<string, ChartDef>();
  /** Where the replay that computed a state parted from the recording, if it did. */
  readonly #diverged = new WeakMap<ActorState, UiDivergence>();
  /** Computed states by `seq address`, oldest first. */
  readonly #computed = new Map<string, ActorState>();

  constructor(readonly entries: readonly Positioned[], readonly header: LogHeader | undefined, opts: ReplaySourceOptions = {}) {
    if (entries.length === 0) throw new Error('replay source: the log has no entries');
    this.#registry = opts.registry ?? defaultRegistry();
    this.#timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>) };
    this.cluster = new ReplayCluster(() => this.#entry().at);
    this.messages = new MessageStore(opts.messagesKept);
    this.#moveTo(opts.seq === undefined ? entries.length - 1 : Math.max(0, indexOf(entries, opts.seq)));
  }

  /* ---------------------------------------------------------------- ReplayControl */

  range(): { first: number; last: number; firstAt: number; lastAt: number } {
    const first = this.entries[0]!, last = this.entries[this.entries.length - 1]!;
    return { first: first.i, last: last.i, firstAt: first.at, lastAt: last.at };
  }

  position(): ReplayPosition {
    const e = this.#entry();
    return { seq: e.i, at: e.at, ...(this.#playing ? { playing: this.#playing.speed } : {}) };
  }

  /**
   * Moves to a seq (clamped to the range), or to the last entry at or before a time; the
   * watched actors' states are recomputed, then the position is announced. A newer seek
   * supersedes one still computing (only the newest is announced).
   */
  async seek(to: { seq: number } | { at: number }): Promise<ReplayPosition> {
    const k = 'seq' in to ? Math.max(0, indexOf(this.entries, to.seq)) : indexAt(this.entries, to.at);
    return this.#go(k);
  }

  step(delta: number): Promise<ReplayPosition> {
    return this.#go(Math.max(0, Math.min(this.entries.length - 1, this.#k + Math.trunc(delta))));
  }

  /**
   * Plays forward one entry at a time, waiting the recorded time between entries divided by
   * `speed` (Infinity: no wait), each step announced; stops at the end or on `pause`.
   */
  play(speed: number): void {
    if (!(speed > 0)) return;
    this.pause();
    const playing = { speed, timer: undefined as unknown };
    this.#playing = playing;
    const next = (): void => {
      if (this.#playing !== playing) return;
      if (this.#k >= this.entries.length - 1) return this.pause();
      const wait = speed === Infinity ? 0 : Math.max(0, (this.entries[this.#k + 1]!.at - this.#entry().at) / speed);
      playing.timer = this.#timers.setTimeout(() => void this.step(1).then(next, () => this.pause()), wait);
    };
    next();
  }

  pause(): void {
    if (this.#playing === undefined) return;
    this.#timers.clearTimeout(this.#playing.timer);
    this.#playing = undefined;
    this.#positions.emit(this.position());
  }

  onPosition(listener: (p: ReplayPosition) => void): () => void {
    return this.#positions.add(listener);
  }

  divergences(): UiDivergence[] | undefined {
    return this.#divergences;
  }

  /**
   * `replay --verify` over the whole log (every actor rebuilt, its outputs compared): one
   * divergence per diverging actor, earliest first; the UI highlights them.
   */
  async verify(): Promise<UiDivergence[]> {
    const r = await runReplay(this.entries, { registry: this.#registry, header: this.header });
    return (this.#divergences = r.divergences.map(uiDivergence));
  }

  /* ---------------------------------------------------------------- ActorSource */

  list(q: ActorListQuery = {}): Window<ActorInfo> {
    const match = globMatcher(q.select);
    if (this.#actorsMemo?.k !== this.#k) this.#actorsMemo = { k: this.#k, map: actorsAt(this.entries, this.#k) };
    const all = [...this.#actorsMemo.map.values()].filter((a) => match(a.address)).sort((a, b) => a.address.localeCompare(b.address));
    const offset = Math.max(0, Math.min(q.offset ?? 0, all.length));
    return { total: all.length, offset, rows: all.slice(offset, offset + (q.limit ?? 500)) };
  }

  /** The chart definition (definitionJson) of the actor's machine, by the machine its start entry names. */
  definition(address: string): MachineDefinitionJson | undefined {
    const machine = this.#machineOf(address);
    return machine ? definitionJson(machine) : undefined;
  }

  /**
   * The state after the current position. An actor not computed yet for this position (no
   * watcher asked for it) is returned with status `computing` and its computation started;
   * its watchers get the state when it is ready. Undefined for an actor not started by then.
   */
  state(address: string): ActorState | undefined {
    const known = this.#states.get(address);
    if (known) return known;
    if (!this.#actors().has(address)) return undefined;
    void this.load(address);
    return { address, status: 'computing', value: null, context: null, active: [], at: this.#entry().at, seq: this.#entry().i };
  }

  /** The state after the current position, computed if needed (the async form of `state`). */
  async load(address: string): Promise<ActorState | undefined> {
    if (!this.#states.has(address)) await this.#compute(address, this.#generation, true);
    return this.#states.get(address);
  }

  /**
   * Where the replay behind `state(address)` parted from the recording before the position,
   * if it did: the state is then what this build computes from the log, not what the recorded
   * run was in (`replay --at` prints the same state and says nothing).
   */
  stateDivergence(address: string): UiDivergence | undefined {
    const s = this.#states.get(address);
    return s ? this.#diverged.get(s) : undefined;
  }

  events(address: string, limit = 50): ActorEvent[] {
    return eventsOf(this.entries, this.#k, address, limit);
  }

  watch(address: string, listener: (u: ActorUpdate) => void): (() => void) | undefined {
    if (!this.#actors().has(address)) return undefined;
    let set = this.#watchers.get(address);
    if (set === undefined) this.#watchers.set(address, (set = new Set()));
    set.add(listener);
    if (!this.#states.has(address)) void this.load(address);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#watchers.delete(address);
    };
  }

  /** The store's objects after the current position, by kv key (what the cluster view aggregates). */
  objects(): ReadonlyMap<string, Record<string, unknown>> {
    return this.#fold.objects;
  }

  /** The bus messages in positions `[seq - before, seq + after]` (log entries of kind `msg`). */
  around(before = 20, after = 20): Positioned[] {
    const from = Math.max(0, this.#k - before), to = Math.min(this.entries.length - 1, this.#k + after);
    return this.entries.slice(from, to + 1).filter((e) => e.kind === 'msg');
  }

  /** This source as the UI server's `UiSource`. */
  asUiSource(title: string): UiSource {
    return { mode: 'replay', title, cluster: this.cluster, actors: this, messages: this.messages, replay: this, close: async () => this.pause() };
  }

  /* ---------------------------------------------------------------- internals */

  #entry(): Positioned {
    return this.entries[Math.max(0, this.#k)]!;
  }

  #actors(): Map<string, ActorInfo> {
    if (this.#actorsMemo?.k !== this.#k) this.#actorsMemo = { k: this.#k, map: actorsAt(this.entries, this.#k) };
    return this.#actorsMemo.map;
  }

  #machineOf(address: string): AnyStateMachine | undefined {
    let name = this.#actors().get(address)?.machine;
    for (const e of this.entries) if (name === undefined && e.kind === 'start' && e.address === address) name = e.machine;
    return name === undefined ? undefined : MACHINES.get(name);
  }

  async #go(k: number): Promise<ReplayPosition> {
    const generation = ++this.#generation;
    this.#moveTo(k);
    await Promise.all([...this.#watchers.keys()].map((a) => this.#compute(a, generation, false)));
    if (generation === this.#generation) {
      for (const [address, set] of this.#watchers) {
        if (this.#states.has(address)) continue;
        for (const l of set) l({ type: 'gone', address });
      }
      this.#positions.emit(this.position());
    }
    return this.position();
  }

  /** Moves the cluster fold and the message store to entry `k`; forgets the actor states. */
  #moveTo(k: number): void {
    if (k < this.#folded) {
      this.#fold = new StoreFold();
      this.cluster.reset();
      this.messages.clear();
      this.#folded = -1;
    }
    this.#k = k;
    this.#states.clear();
    // Only the most recent messages are kept: a long jump forward skips pushing the older ones.
    const firstKept = Math.max(this.#folded + 1, this.#firstMessageKept(k));
    for (let j = this.#folded + 1; j <= k; j++) {
      const e = this.entries[j]!;
      for (const c of this.#fold.apply(e)) this.cluster.model.apply(c.kind, c.change, c.object);
      if (e.kind === 'msg' && j >= firstKept) this.messages.push(e.i, e);
    }
    this.#folded = k;
  }

  /** The index from which the message store's capacity reaches entry `k`. */
  #firstMessageKept(k: number): number {
    let n = 0, j = k;
    for (; j > this.#folded && n < this.messages.capacity; j--) if (this.entries[j]!.kind === 'msg') n++;
    return j + 1;
  }

  /** Computes one actor's state for a position (once however often asked); `notify`: tell its watchers (a seek announces its position instead). */
  async #compute(address: string, generation: number, notify: boolean): Promise<void> {
    const key = `${generation} ${address}`;
    let p = this.#pending.get(key);
    if (p === undefined) {
      p = this.#run(address, generation, notify).finally(() => this.#pending.delete(key));
      this.#pending.set(key, p);
    }
    return p;
  }

  async #run(address: string, generation: number, notify: boolean): Promise<void> {
    const e = this.#entry();
    const cached = this.#computed.get(`${e.i} ${address}`);
    const state = cached ?? (await this.#stateAt(e, address));
    if (generation !== this.#generation || state === undefined) return;
    if (cached === undefined) this.#remember(`${e.i} ${address}`, state);
    this.#states.set(address, state);
    if (notify) for (const l of this.#watchers.get(address) ?? []) l({ type: 'state', state });
  }

  /** Keeps a computed state (the oldest forgotten past COMPUTED_KEPT): scrubbing back and forth over a range costs one replay per position. */
  #remember(key: string, state: ActorState): void {
    this.#computed.set(key, state);
    if (this.#computed.size > COMPUTED_KEPT) this.#computed.delete(this.#computed.keys().next().value!);
  }

  async #stateAt(e: Positioned, address: string): Promise<ActorState | undefined> {
    const r = await stateAt(this.entries, this.header, this.#registry, e.i, address);
    if (r === undefined) return undefined;
    let state: ActorState;
    if ('reason' in r) {
      state = { address, status: `skipped: ${r.reason}`, value: null, context: null, active: [], at: e.at, seq: e.i };
    } else {
      const def = this.#chart(r.machine ?? this.#machineOf(address));
      state = { ...r.view, status: r.view.status ?? 'stopped', active: def ? activeStateIds(def, r.view.value) : [], at: e.at, seq: e.i };
      if (r.diverged) this.#diverged.set(state, uiDivergence(r.diverged));
      // A log recorded with --secrets holds them: the UI redacts as the inspector does.
      if (this.header?.secrets) state.context = sanitize(state.context);
    }
    return state;
  }

  #chart(machine: AnyStateMachine | undefined): ChartDef | undefined {
    if (machine === undefined) return undefined;
    let def = this.#charts.get(machine.id);
    if (def === undefined) this.#charts.set(machine.id, (def = chartOf(machine)));
    return def;
  }
}

/** Opens log files (a run's files, merged as `kubeactor replay` merges them) as a replay source. */
export function openReplaySource(files: readonly string[], opts: ReplaySourceOptions = {}): { source: ReplaySource; warnings: string[] } {
  const logs = loadLogs(files);
  return { source: new ReplaySource(logs.entries, logs.header, opts), warnings: logs.warnings };
}
