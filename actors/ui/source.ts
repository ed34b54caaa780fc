/**
 * What the web UI server (actors/ui/server.ts) reads: one `UiSource` per process, either a
 * live cluster (`kubeactor up --ui`) or a recording positioned at a seq (`kubeactor replay
 * LOG --ui`). The server never touches actors, informers or the bus itself; it only calls
 * these interfaces and turns their answers into JSON frames for the browser.
 *
 * Three parts, one per view, so that each can be built separately:
 * - `ClusterSource` (actors/ui/cluster-live.ts from shared informers; a replay feeds a
 *   `ClusterModel` the apiserver's watch events from the log),
 * - `ActorSource` (actors/ui/actor-feed.ts: list, definition, snapshot, events),
 * - `MessageSource` (the bus tap live; the log's `msg` entries in a replay),
 * plus `ReplayControl` for a recording (actors/ui/replay-source.ts).
 *
 * Everything returned is plain JSON data (no actor refs, no Uint8Array, no cycles): the
 * server serializes it as is. Contexts, events and payloads are redacted as the recorder
 * redacts them (actors/inspect/sanitize.ts) before they leave a source.
 */

/* ----------------------------------------------------------------------------------------
 * Cluster view. Server-side aggregation: the browser never gets every pod; it gets counts,
 * and the rows of the window it shows (virtualized lists), so the first payload stays under
 * 1 MB at 5,000 nodes / 50,000 pods.
 * -------------------------------------------------------------------------------------- */

/** Pod phase counts (`Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`) plus `Terminating`. */
export type PhaseCounts = Record<string, number>;

/** What the cluster view's header shows; small and sent on every change. */
export interface ClusterSummary {
  /** Grows by one per change the model applied; the server re-sends windows when it moves. */
  rev: number;
  nodes: { total: number; ready: number };
  pods: { total: number; byPhase: PhaseCounts; unscheduled: number };
  workloads: number;
  services: number;
  events: number;
}

/** The lists of the cluster view. */
export type ClusterList = 'nodes' | 'workloads' | 'services' | 'events';

export interface NodeRow {
  name: string;
  ready: boolean;
  /** `Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled` as kubectl prints it. */
  status: string;
  unschedulable: boolean;
  pods: number;
  byPhase: PhaseCounts;
  /** The first pods bound to it (name order, at most `PODS_PER_NODE_ROW`); all of them with `ClusterSource.pods(node)`. */
  podNames: string[];
}

export interface PodRow {
  namespace: string;
  name: string;
  /** As kubectl's STATUS column: `Running`, `Pending`, `ContainerCreating`, `CrashLoopBackOff`, `Terminating`, … */
  status: string;
  phase: string;
  node?: string;
  ready: string;
  restarts: number;
  /** `ReplicaSet/web-7f9bc87455`, when owned. */
  owner?: string;
}

export interface WorkloadRow {
  /** `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet` (only those without a Deployment), `Job`, `ReplicationController`. */
  kind: string;
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  updated: number;
  available: number;
  /** `complete`, `progressing` (with a reason), `failed` (ProgressDeadlineExceeded), `paused`, `scaled-down`. */
  rollout: string;
  /** The rollout's condition message, as `kubectl rollout status` words it. */
  message?: string;
}

export interface ServiceRow {
  namespace: string;
  name: string;
  type: string;
  clusterIP?: string;
  ports: string;
  /** `10.244.0.5:80`, … from its EndpointSlices (ready endpoints first), at most 20. */
  endpoints: string[];
  readyEndpoints: number;
  notReadyEndpoints: number;
}

export interface EventRow {
  namespace: string;
  /** `Normal` or `Warning`. */
  type: string;
  reason: string;
  /** `Pod/web-7f9bc87455-abcde`. */
  object: string;
  message: string;
  count: number;
  /** Last seen, epoch ms (the cluster's clock). */
  at: number;
}

export interface RowOf {
  nodes: NodeRow;
  workloads: WorkloadRow;
  services: ServiceRow;
  events: EventRow;
}

/** A window of one list (the rows a virtualized list shows). */
export interface Window<R> {
  total: number;
  offset: number;
  rows: R[];
}

export interface WindowQuery {
  offset: number;
  limit: number;
  /** Substring over the row's name (namespace/name for namespaced rows). */
  filter?: string;
}

/** The live cluster, aggregated where the objects are (the process's shared informers, or a replay's model). */
export interface ClusterSource {
  summary(): ClusterSummary;
  window<L extends ClusterList>(list: L, q: WindowQuery): Window<RowOf[L]>;
  /** Pods of one node (an expanded node row), or the unscheduled ones for `node` = ''. */
  pods(node: string, q: WindowQuery): Window<PodRow>;
  /**
   * Called after changes; coalesced by the source (at most once per turn), carrying the new
   * rev. The server throttles what it sends further. Returns the unsubscribe function.
   */
  onChange(listener: (rev: number) => void): () => void;
}

/* ----------------------------------------------------------------------------------------
 * Actor view.
 * -------------------------------------------------------------------------------------- */

export interface ActorInfo {
  address: string;
  /** `apiserver`, `kv`, `scheduler`, `controller`, `kubelet`, `pod`, `informers`, … (the address's first segment). */
  group: string;
  /** `running`, `restarting`, `stopped`. */
  state: string;
  /** The machine's id, when known. */
  machine?: string;
}

/**
 * An XState machine definition as `machine.toJSON()` gives it (StateMachineDefinition:
 * id, key, type, initial, states, on, transitions with their event types, guards and
 * targets, invoke, …), after `safeJson` (functions become `{type: name}`). uichart's
 * renderer (ui/chart/) draws it.
 */
export type MachineDefinitionJson = Record<string, unknown>;

/** An actor's state as the views show it. */
export interface ActorState {
  address: string;
  /** XState snapshot status: `active`, `done`, `error`, `stopped`. */
  status: string;
  /** The state value (`"syncing"`, `{ready: "idle", watch: "open"}`). */
  value: unknown;
  /** Redacted context. */
  context: unknown;
  /** The state node ids that are active (`controller.replicaset.syncing`), what the chart highlights. */
  active: string[];
  /** Epoch ms of the source's clock when taken. */
  at: number;
  /** In a replay: the seq it is the state after. */
  seq?: number;
}

/** One event the actor received (or a timer it fired). */
export interface ActorEvent {
  at: number;
  /** The bus seq (live) or log position (replay) when known. */
  seq?: number;
  type: string;
  /** Redacted, possibly shortened event (an envelope's payload for bus messages). */
  event: unknown;
}

/** What a watch delivers: the state after each event, with that event. */
export type ActorUpdate = { type: 'state'; state: ActorState; event?: ActorEvent } | { type: 'gone'; address: string };

export interface ActorListQuery {
  /** Comma-separated globs over addresses (actors/replay/glob.ts); all when absent. */
  select?: string;
  offset?: number;
  /** Default 500: pods are many. */
  limit?: number;
}

export interface ActorSource {
  list(q?: ActorListQuery): Window<ActorInfo>;
  /** The machine definition, or undefined if no such actor (or not an XState machine). */
  definition(address: string): MachineDefinitionJson | undefined;
  /** The current state, undefined if no such actor. */
  state(address: string): ActorState | undefined;
  /** The last events it received, oldest first (at most `limit`, default 50). */
  events(address: string, limit?: number): ActorEvent[];
  /**
   * Follows one actor: attaches inspection to it alone (inspection costs throughput) until
   * the last watcher of that address unsubscribes, following it across restarts. Returns
   * undefined if no such actor.
   */
  watch(address: string, listener: (u: ActorUpdate) => void): (() => void) | undefined;
}

/* ----------------------------------------------------------------------------------------
 * Message view.
 * -------------------------------------------------------------------------------------- */

/** `request` (has corr, not a reply), `reply`, `watch` (a watch event), `timer` (a firing), `send` (one-way), `publish` (to a topic). */
export type MessageKind = 'request' | 'reply' | 'watch' | 'timer' | 'send' | 'publish';

/** One bus message, without its payload (fetched on demand: `MessageSource.payload`). */
export interface MessageRow {
  seq: number;
  at: number;
  from: string;
  to: string;
  type: string;
  kind: MessageKind;
  corr?: string;
  /** A short summary (≤ 100 chars): the verb and object for api.*, the status code for a failed reply. */
  brief: string;
}

export interface MessageQuery {
  /** Comma-separated globs: a message is kept when its `from` or `to` matches. */
  actors?: string;
  /** Comma-separated globs over the type (`api.*,reply`). */
  types?: string;
  /** Only messages with seq > after. */
  after?: number;
  /** The most recent `limit` (default 500) that pass the filter, oldest first. */
  limit?: number;
}

export interface MessageSource {
  query(q: MessageQuery): MessageRow[];
  /** The redacted payload (envelope payload; a reply's Result), undefined when no longer kept. */
  payload(seq: number): unknown;
  /** New messages as they are delivered (live) or passed (replay play/step). */
  onMessage(listener: (m: MessageRow) => void): () => void;
}

/* ----------------------------------------------------------------------------------------
 * Replay.
 * -------------------------------------------------------------------------------------- */

/** A `--verify` divergence as the UI highlights it. */
export interface UiDivergence {
  /** Log position where it shows (the seq `replay --verify` prints). */
  seq: number;
  actor: string;
  kind: string;
  message: string;
  /** The first differing path (`payload.object.target.name`). */
  path?: string;
  expected?: unknown;
  actual?: unknown;
}

export interface ReplayPosition {
  /** The position the views show the state after. */
  seq: number;
  at: number;
  /** Set while playing: the speed factor (1 = original; Infinity = as fast as it goes). */
  playing?: number;
}

export interface ReplayControl {
  /** First and last positions of the (merged) log and their times. */
  range(): { first: number; last: number; firstAt: number; lastAt: number };
  position(): ReplayPosition;
  /** Moves to a seq, or to the last entry at or before a time (epoch ms); back in time re-runs from the start. */
  seek(to: { seq: number } | { at: number }): Promise<ReplayPosition>;
  /** One entry forward (+1) or back (-1), or n. */
  step(delta: number): Promise<ReplayPosition>;
  play(speed: number): void;
  pause(): void;
  onPosition(listener: (p: ReplayPosition) => void): () => void;
  /** `--verify`'s divergences (empty when it matched), undefined when not verified. */
  divergences(): UiDivergence[] | undefined;
}

/** What the server serves: a live cluster, or a recording. */
export interface UiSource {
  readonly mode: 'live' | 'replay';
  /** The page title: `kubeactor — 3 nodes` or `replay — run.log`. */
  readonly title: string;
  readonly cluster: ClusterSource;
  readonly actors: ActorSource;
  readonly messages: MessageSource;
  readonly replay?: ReplayControl;
  close(): Promise<void>;
}
