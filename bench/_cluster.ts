/**
 * Shared setup of the cluster benches (kwok, scheduler-perf, density): a control plane on
 * an in-process bus with the real clock, N nodes (sim kubelets, or plain Node objects as
 * scheduler_perf's fake nodes), the scheduler actor when it exists, and a bench client
 * port with watch helpers. Progress goes to stderr. The leading underscore keeps this file
 * out of the bench list.
 */
import type { AuthorizationMode } from '../actors/apiserver/authorizer.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { ApiTarget, KubeObject, WatchEvent } from '../bus/catalogue/api.ts';
import type { Port } from '../bus/bus.ts';
import type { Envelope } from '../base/envelope.ts';
import { InProcessBus } from '../bus/inprocess.ts';
import type { Bus, Tap } from '../bus/bus.ts';
import { WorkersBus } from '../bus/workers/bus.ts';
import { startNodeWorkers, type NodeWorkers } from '../actors/node-workers/start.ts';
import { APISERVER_ADDRESS } from '../bus/permissions.ts';
import { ApiClient, targets } from '../actors/client/index.ts';
import type { Logger } from '../actors/actor-def.ts';
import { type Clock } from '../base/clock.ts';
import { realClock } from '../base/real-clock.ts';
import { isEtcdStorage, isJetStreamStorage, startControlPlane, type ControlPlane, type StorageKind } from '../actors/cluster.ts';
import type { ActorHost } from '../actors/host.ts';
import { startSimNodes, type SimNodes } from '../actors/kubelet/sim-nodes.ts';
import { limitsOf, type ClientLimits, type ClientLimitsTable } from '../actors/client/index.ts';
import { clientLimitsFrom, kubeletLimits } from '../cli/client-limit-flags.ts';
import { firingClock } from '../actors/record/firing-clock.ts';
import { startRecorder, type Recorder } from '../actors/record/recorder.ts';
import { isMessage } from '../bus/catalogue/index.ts';
import type { Auditor } from '../actors/apiserver/audit/auditor.ts';
import type { FlowControl } from '../actors/apiserver/flowcontrol/controller.ts';
import type { Result } from '../base/status.ts';

export const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
/** The heap in use after full collections (the bench's process runs with --expose-gc set at load). */
export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export const argText = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? String(process.argv[i + 1]) : def;
};

/** `--storage` (default `memory`): a kv backend the benches can open; anything else is refused. */
export const storageArg = (): StorageKind => {
  const v = argText('storage', 'memory');
  if (v === 'memory' || v === 'lmdb' || isEtcdStorage(v) || isJetStreamStorage(v)) return v;
  throw new Error(`--storage ${v}: expected memory, lmdb, etcd://HOST:PORT[,HOST:PORT…] (an etcd you started) or jetstream=nats://HOST:PORT (a nats-server -js you started)`);
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * 'ok' when `p` settles within `ms`, else 'timeout'. The timer is cleared either way: a pending
 * 10-minute timer kept a bench process alive that long after it printed its result.
 */
export async function within(p: Promise<unknown>, ms: number): Promise<'ok' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    return await Promise.race([p.then(() => 'ok' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Warnings and errors of the actors, on stderr, at most `limit` of them (the rest counted). */
export function benchLogger(tag: string, limit = 20): Logger & { dropped(): number; mute(): void } {
  let n = 0;
  let muted = false;
  const out = (level: string, msg: string, fields?: Record<string, unknown>) => {
    if (muted) return;
    if (n++ < limit) process.stderr.write(`bench ${tag}: [${level}] ${msg} ${fields ? JSON.stringify(fields) : ''}\n`);
  };
  return { info() {}, warn: (m, f) => out('warn', m, f), error: (m, f) => out('error', m, f), dropped: () => Math.max(0, n - limit), mute: () => void (muted = true) };
}

/** A bench client: one bus port, watch streams dispatched to callbacks by watch id. */
export class BenchClient {
  readonly port: Port;
  /** The typed apiserver client on this port. */
  readonly api: ApiClient;
  readonly #watches = new Map<string, (events: WatchEvent[]) => void>();
  #seq = 0;

  constructor(bus: Bus, address = 'bench') {
    this.port = bus.register(address, (env: Envelope) => {
      if (isMessage(env, 'api.watch-events')) {
        this.#watches.get(env.payload.id)?.(env.payload.events);
      } else if (env.type === 'sys.ping' && env.corr) {
        this.port.reply<'sys.ping'>(env, { ok: true, value: { address, n: 0 } });
      } else if (isMessage(env, 'api.watch-ended')) {
        process.stderr.write(`bench: watch ${env.payload.id} ended by the apiserver\n`);
      }
    });
    this.api = new ApiClient(this.port);
  }

  /** Watches `target` from now on (no initial events: `resourceVersion` = the current one). */
  async watch(target: ApiTarget, on: (events: WatchEvent[]) => void, options: { fieldSelector?: string; labelSelector?: string } = {}): Promise<string> {
    const id = `bench.${++this.#seq}`;
    this.#watches.set(id, on);
    const listed = await this.port.request(APISERVER_ADDRESS, 'api.list', { target, options: { ...options, limit: 1 } });
    if (!listed.ok) throw new Error(`list: ${listed.status.message}`);
    const rv = String(listed.value.metadata?.resourceVersion ?? '');
    const r = await this.port.request(APISERVER_ADDRESS, 'api.watch', { target, id, options: { ...options, resourceVersion: rv } });
    if (!r.ok) throw new Error(`watch: ${r.status.message}`);
    return id;
  }

  unwatch(id: string): void {
    this.#watches.delete(id);
    this.port.send(APISERVER_ADDRESS, 'api.unwatch', { id });
  }
}

/** True when a Node's Ready condition is True. */
export const nodeReady = (n: KubeObject): boolean =>
  ((n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export interface ControllersHandle {
  names: readonly string[];
  stop(): void;
}

/** The controllers (actors/controllers/index.ts, `startControllers(host, {controllers})`) when they exist; null otherwise. */
export async function startControllersIfAny(host: ActorHost, log: (s: string) => void, selection: string, clientLimits?: Partial<ClientLimits>): Promise<ControllersHandle | null> {
  const entry = new URL('../actors/controllers/index.ts', import.meta.url);
  if (!existsSync(entry)) return null;
  const mod = (await import(entry.href)) as { startControllers?: (h: ActorHost, o: { controllers: string; clientLimits?: Partial<ClientLimits> }) => ControllersHandle };
  if (typeof mod.startControllers !== 'function') return null;
  const c = mod.startControllers(host, { controllers: selection, ...(clientLimits ? { clientLimits } : {}) });
  log(`controllers: ${c.names.join(', ')}`);
  return c;
}

export interface SchedulerHandle {
  kind: 'actor' | 'none';
  /** scheduler.stats: bound pods so far (0 without a scheduler). */
  bound(): number;
  stop(): void;
}

interface SchedulerModule {
  startScheduler?: (h: ActorHost, o?: Record<string, unknown>) => { stop(): void; synced(): boolean; stats(): { bound: number } };
}

/** The scheduler actor (actors/scheduler/index.ts, `startScheduler(host, opts?)`) when it exists; waits until it has synced. */
export async function startSchedulerIfAny(host: ActorHost, log: (s: string) => void, opts: Record<string, unknown> = {}): Promise<SchedulerHandle> {
  const none: SchedulerHandle = { kind: 'none', bound: () => 0, stop() {} };
  const entry = new URL('../actors/scheduler/index.ts', import.meta.url);
  if (!existsSync(entry)) {
    log('no scheduler actor (actors/scheduler/index.ts absent)');
    return none;
  }
  const mod = (await import(entry.href)) as SchedulerModule;
  if (typeof mod.startScheduler !== 'function') {
    log('no startScheduler in actors/scheduler/index.ts');
    return none;
  }
  // Benches keep no explanations (the scheduler's own advice for benches).
  const s = mod.startScheduler(host, { keepExplanations: 0, annotate: 'none', ...opts });
  const t0 = performance.now();
  while (!s.synced()) {
    if (performance.now() - t0 > 60_000) throw new Error('the scheduler did not sync within 60 s');
    await sleep(10);
  }
  log(`scheduler actor started and synced in ${round((performance.now() - t0) / 1000)} s`);
  return { kind: 'actor', bound: () => s.stats().bound, stop: () => s.stop() };
}

export interface BenchClusterOptions {
  tag: string;
  storage: StorageKind;
  /** Sim kubelets to start (and wait Ready for). */
  kubelets?: number;
  /** Plain Node objects created through the API (no kubelet), scheduler_perf's fake nodes. */
  fakeNodes?: number;
  scheduler?: boolean;
  /** Options passed to startScheduler (over the bench defaults). */
  schedulerOptions?: Record<string, unknown>;
  /** Max wait for nodes to become Ready (ms). */
  readyTimeoutMs?: number;
  /**
   * Record the run into this file, as `kubeactor up --record` does: the clock reports its
   * firings, and the recorder attaches before the first actor starts.
   */
  record?: string;
  /** kube-apiserver's --authorization-mode for the run (default: the apiserver's, Node,RBAC). */
  authorizationModes?: readonly AuthorizationMode[];
  /** Controllers to run besides the ones every cluster needs for its pods to start (serviceaccount, root-ca-cert-publisher). */
  controllers?: string;
  /** Audit the apiserver's requests with this Auditor (closed, its log flushed, at stop). */
  audit?: Auditor;
  /** The apiserver's API Priority and Fairness, lent so the bench can read its queue waits and rejections. */
  flowControl?: FlowControl;
  /** false: the kubelets record no Events (`--kubelet-events=false`). */
  kubeletEvents?: boolean;
  /**
   * Run the kubelets in this many worker threads (`up --workers N`; default 0: on the main
   * thread). The taps then see what reaches the main thread (the control plane's side).
   */
  workers?: number;
  /** Client-side limits by component (default BENCH_CLIENT_LIMITS; what is not named keeps Kubernetes' default). */
  clientLimits?: ClientLimitsTable;
}

/**
 * The benches' client limits: as upstream's scalability jobs raise kube-controller-manager's and
 * kube-scheduler's QPS for their tests, so they do not bind at the throughput measured here (at
 * the defaults, 20 QPS would hold each controller to ~20 pods/s); kubelets keep theirs (50/100).
 */
export const BENCH_CLIENT_LIMITS: ClientLimitsTable = { 'controller-manager': { qps: 1000, burst: 1000 }, scheduler: { qps: 1000, burst: 1000 } };

/** BENCH_CLIENT_LIMITS with `--kube-api-qps` / `--kube-api-burst` (as `up` takes them) over it. */
export function benchLimitsFrom(qps: string, burst: string): ClientLimitsTable {
  const asked = clientLimitsFrom({ ...(qps ? { 'kube-api-qps': qps } : {}), ...(burst ? { 'kube-api-burst': burst } : {}) }, ['controller-manager', 'scheduler', 'kubelet']);
  const out: ClientLimitsTable = { ...BENCH_CLIENT_LIMITS };
  for (const [c, l] of Object.entries(asked) as [keyof ClientLimitsTable, ClientLimitsTable[keyof ClientLimitsTable]][]) out[c] = { ...out[c], ...l };
  return out;
}

/** Every component's limits a bench cluster with `asked` runs at, for its JSON (`client_qps`). */
export function benchClientLimits(asked: ClientLimitsTable = BENCH_CLIENT_LIMITS): Record<string, ClientLimits> {
  return Object.fromEntries((['controller-manager', 'scheduler', 'kubelet'] as const).map((c) => [c, limitsOf(c, asked[c])]));
}

/** What a pod needs from the controller-manager to start: its ServiceAccount and the kube-root-ca.crt its token volume projects. */
export const POD_PREREQUISITE_CONTROLLERS = 'serviceaccount,root-ca-cert-publisher';

export interface BenchCluster {
  cp: ControlPlane;
  bus: Bus;
  client: BenchClient;
  sim: SimNodes | undefined;
  /** The worker threads running the kubelets (with `workers`). */
  workers: NodeWorkers | undefined;
  nodeNames: string[];
  scheduler: SchedulerHandle;
  /** The controllers started (POD_PREREQUISITE_CONTROLLERS and `controllers`), null on a build without them. */
  controllers: ControllersHandle | null;
  /** Resolves once the namespace's kube-root-ca.crt exists (pods created before it wait for it in ContainerCreating). */
  namespaceReady(ns: string): Promise<void>;
  /** The recorder with `record`; stopping the cluster stops it (stop it first to read its final size). */
  recorder: Recorder | undefined;
  /** Seconds from the first kubelet start to every node Ready as observed by a watch (0 without kubelets). */
  nodesReadyS: number;
  log(s: string): void;
  /** Messages the bus delivered, by `type` (api calls as `api.<verb> <resource>[/<subresource>]`), since start or the last reset. */
  messages(): Map<string, number>;
  /** Replies that carried an error Status, by HTTP code (429: too many requests), since start or the last reset. */
  failedReplies(): Map<number, number>;
  resetMessages(): void;
  /**
   * Latency (ms) of every mutating API call any component made (create, update, patch,
   * delete, on any resource): from the request's delivery to the apiserver to its reply's
   * delivery, as the API call latency SLO counts it (server side, no client throttling).
   */
  mutatingLatencies(): number[];
  stop(): Promise<void>;
}

/** The top `n` message kinds, as one line for stderr. */
export function topMessages(m: Map<string, number>, per: number, n = 12): string {
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k}: ${round(v / per, 2)}`).join(', ');
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

export async function startBenchCluster(o: BenchClusterOptions): Promise<BenchCluster> {
  const log = (s: string) => process.stderr.write(`bench ${o.tag}: ${s}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), `kubeactor-bench-${o.tag}-`));
  // The real clock's timers are unref'd (a pending timer never keeps a process alive), and an
  // in-process cluster has no socket: the process would end (exit 13, a top-level await never
  // settled) in a moment when only actors' timers were pending. The cluster holds it until stopped.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const clock: Clock = o.record ? firingClock(realClock) : realClock;
  const bus = o.workers ? WorkersBus.main({ clock, requestTimeoutMs: 60_000 }) : new InProcessBus({ clock, requestTimeoutMs: 60_000 });
  const logger = benchLogger(o.tag);
  let recorder: Recorder | undefined;
  const seed = 1;
  const beforeStart = (host: ActorHost): void => {
    if (!o.record) return;
    recorder = startRecorder({ bus, host, clock, seed, file: o.record, clusterId: `bench-${o.tag}`, identity: { name: `bench.${o.tag}` } });
  };
  const cp = await startControlPlane({ bus, clock, storage: o.storage, dataDir, seed, logger, beforeStart, apiserver: { ...(o.audit ? { audit: o.audit } : {}), ...(o.flowControl ? { flowControl: o.flowControl } : {}), ...(o.authorizationModes ? { authorizationModes: o.authorizationModes } : {}) } });
  const limits = o.clientLimits ?? BENCH_CLIENT_LIMITS;
  const controllers = await startControllersIfAny(cp.host, log, [POD_PREREQUISITE_CONTROLLERS, o.controllers].filter(Boolean).join(','), limits['controller-manager']);
  log(`control plane up (${o.storage} kv${o.storage === 'lmdb' ? ` at ${dataDir}` : ''})${o.record ? `; recording to ${o.record}` : ''}`);
  const client = new BenchClient(bus);
  let counts = new Map<string, number>();
  const MUTATING = new Set(['api.create', 'api.update', 'api.patch', 'api.delete']);
  const inFlight = new Map<string, number>();
  const latencies: number[] = [];
  let failed = new Map<number, number>();
  const observe: Tap = (env) => {
    if (env.corr !== undefined) {
      if (env.type === 'reply') {
        const r = env.payload as Result<unknown>;
        if (!r.ok) failed.set(r.status.code, (failed.get(r.status.code) ?? 0) + 1);
        const at = inFlight.get(env.corr);
        if (at !== undefined) {
          inFlight.delete(env.corr);
          latencies.push(performance.now() - at);
        }
      } else if (env.to === APISERVER_ADDRESS && MUTATING.has(env.type)) inFlight.set(env.corr, performance.now());
    }
    let k = env.type;
    if (k.startsWith('api.') && k !== 'api.watch-events') {
      const t = (env.payload as { target?: { resource?: string; subresource?: string } } | undefined)?.target;
      if (t?.resource) k = kindKey(k, t.resource, t.subresource ?? '');
    }
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  // The tap runs on the measured thread for every message: each kind's label is made once.
  const kindKeys = new Map<string, Map<string, Map<string, string>>>();
  const kindKey = (type: string, resource: string, sub: string): string => {
    let byResource = kindKeys.get(type);
    if (!byResource) kindKeys.set(type, (byResource = new Map()));
    let bySub = byResource.get(resource);
    if (!bySub) byResource.set(resource, (bySub = new Map()));
    let key = bySub.get(sub);
    if (key === undefined) bySub.set(sub, (key = `${type} ${resource}${sub ? `/${sub}` : ''}`));
    return key;
  };
  bus.tap(observe);
  // The apiserver's replies to kubelets in workers are delivered there: seen as they leave.
  if (bus instanceof WorkersBus) bus.tapOutbound((env) => env.type === 'reply' && observe(env));
  let sim: SimNodes | undefined;
  let workers: NodeWorkers | undefined;
  let nodeNames: string[] = [];
  let nodesReadyS = 0;

  if (o.kubelets && o.kubelets > 0) {
    const want = o.kubelets;
    const ready = new Set<string>();
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const report = progress(log, 'nodes Ready', want);
    await client.watch(targets.nodes(), (events) => {
      for (const ev of events) {
        const name = ev.object.metadata?.name;
        if (!name || ev.type === 'BOOKMARK') continue;
        if (ev.type !== 'DELETED' && nodeReady(ev.object)) ready.add(name);
        else ready.delete(name);
      }
      report(ready.size);
      if (ready.size >= want) resolveAll();
    });
    const t0 = performance.now();
    const configure = () => ({ ...(o.kubeletEvents === false ? { events: false } : {}), ...kubeletLimits(limits) });
    if (bus instanceof WorkersBus) {
      const lister = bus.register('bench.node-lister', () => {});
      workers = await startNodeWorkers({ bus, workers: o.workers!, count: want, lister, seed, defaultRuntime: 'sim', dataDir, clusterCIDR: '10.0.0.0/8', configure });
      lister.close();
      nodeNames = workers.names;
    } else {
      sim = await startSimNodes({ host: cp.host, count: want, clock, clusterCIDR: '10.0.0.0/8', configure });
      nodeNames = sim.names;
    }
    log(`${want} kubelets started in ${round((performance.now() - t0) / 1000)} s; waiting for Ready`);
    const r = await within(all, o.readyTimeoutMs ?? 600_000);
    nodesReadyS = round((performance.now() - t0) / 1000);
    if (r !== 'ok') throw new Error(`only ${ready.size}/${want} nodes Ready after ${nodesReadyS} s`);
    log(`${want} nodes Ready in ${nodesReadyS} s`);
  }

  if (o.fakeNodes && o.fakeNodes > 0) {
    nodeNames = await createFakeNodes(client.port, o.fakeNodes, log);
  }

  const scheduler: SchedulerHandle = o.scheduler ? await startSchedulerIfAny(cp.host, log, { ...(limits.scheduler ? { clientConnection: limits.scheduler } : {}), ...o.schedulerOptions }) : { kind: 'none', bound: () => 0, stop() {} };

  const cluster: BenchCluster = {
    cp,
    bus,
    client,
    sim,
    workers,
    nodeNames,
    scheduler,
    controllers,
    async namespaceReady(ns) {
      if (!controllers?.names.includes('root-ca-cert-publisher')) return;
      while (!(await client.api.get(targets.configmaps(ns, 'kube-root-ca.crt'))).ok) await sleep(20);
    },
    recorder,
    nodesReadyS,
    log,
    messages: () => counts,
    failedReplies: () => failed,
    resetMessages: () => {
      counts = new Map();
      failed = new Map();
      latencies.length = 0;
    },
    mutatingLatencies: () => latencies,
    async stop() {
      clearInterval(keepAlive);
      logger.mute();
      scheduler.stop();
      controllers?.stop();
      sim?.stop();
      await workers?.stop();
      await recorder?.stop();
      await cp.stop();
      await o.audit?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (logger.dropped() > 0) log(`${logger.dropped()} more warnings/errors not shown`);
    },
  };
  await cluster.namespaceReady('default');
  return cluster;
}

/** scheduler_perf's fake node: 4 cpu... no, its default node template (110 pods, 4 cpu, 32Gi), Ready. */
export function fakeNode(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: {},
    status: {
      capacity: { pods: '110', cpu: '4', memory: '32Gi' },
      allocatable: { pods: '110', cpu: '4', memory: '32Gi' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake node' }],
      phase: 'Running',
    },
  };
}

/** Creates `count` fake nodes through the API, `window` creates in flight. */
export async function createFakeNodes(port: Port, count: number, log: (s: string) => void, window = 256): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `node-${i + 1}`);
  const t0 = performance.now();
  const api = new ApiClient(port);
  await inWindow(names.length, window, async (i) => {
    const r = await api.create(targets.nodes(), fakeNode(names[i]!));
    if (!r.ok) throw new Error(`creating node ${names[i]}: ${r.status.message}`);
    // The main resource ignores status on create in Kubernetes; set it through /status.
    const s = await api.patch(targets.nodes(undefined, names[i]!, 'status'), { status: fakeNode(names[i]!).status });
    if (!s.ok) throw new Error(`node ${names[i]} status: ${s.status.message}`);
  });
  log(`${count} fake nodes created in ${round((performance.now() - t0) / 1000)} s`);
  return names;
}

/** Runs `fn(0..n-1)` with at most `window` in flight; rejects on the first failure. */
export async function inWindow(n: number, window: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(window, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** The p-th percentile (0..100) of unsorted samples (nearest rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Peak RSS, sampled by a timer and by `poke()` (at most every `everyMs`). Under a burst
 * the in-process bus can keep the microtask queue busy for many seconds, starving timers,
 * so benches also poke from their watch callbacks.
 */
export function rssSampler(everyMs = 250): { peak(): number; poke(): void; stop(): void } {
  let peak = process.memoryUsage.rss();
  let last = performance.now();
  const sample = () => {
    last = performance.now();
    const r = process.memoryUsage.rss();
    if (r > peak) peak = r;
  };
  const t = setInterval(sample, everyMs);
  t.unref();
  return {
    peak: () => Math.max(peak, process.memoryUsage.rss()),
    poke: () => void (performance.now() - last >= everyMs && sample()),
    stop: () => clearInterval(t),
  };
}

/** Progress on stderr at every 10% of `total`, driven by the caller (timers may be starved, see rssSampler). */
export function progress(log: (s: string) => void, what: string, total: number): (done: number) => void {
  const t0 = performance.now();
  let next = 1;
  return (done) => {
    while (done >= (next * total) / 10 && next <= 10) {
      log(`  ${done}/${total} ${what} at ${round((performance.now() - t0) / 1000, 1)} s (rss ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB)`);
      next++;
    }
  };
}

/**
 * CPU seconds the main thread (the event loop: the control plane's actors) has used, from
 * /proc (Linux; null elsewhere). process.cpuUsage() counts every thread — V8's collector
 * helpers, the audit's writer — and Node 20 has no per-thread figure.
 */
export function mainThreadCpuS(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // After the command name's closing parenthesis: state is field 3, utime 14, stime 15 (clock ticks, 100 a second on Linux).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/** The machine, and how busy it was (other processes share the cores; wall time is what is measured). */
export function machine(): { cpus: number; load_avg_1m: number } {
  return { cpus: cpus().length, load_avg_1m: round(loadavg()[0] ?? 0, 2) };
}

export { round };
