/**
 * One apiserver incarnation's effects: the ServerContext the verbs share, and the
 * implementations the chart (machines/apiserver.ts) invokes by name — boot, reprime,
 * handleRequest, deferRequest, applyKvEvents, tick, shutdown.
 */
import type { Envelope } from '../../base/envelope.ts';
import type { BusState } from '../../bus/bus.ts';
import type { TimerId } from '../../base/clock.ts';
import type { KvRecord } from '../../bus/catalogue/kv.ts';
import { isMessage } from '../../bus/catalogue/index.ts';
import { expired, isGone, isServiceUnavailable, unavailable, type Result } from '../../base/status.ts';
import type { ActorContext } from '../actor-def.ts';
import { ClusterIPAllocator, DEFAULT_SERVICE_CIDR, NodePortAllocator } from './allocators.ts';
import type { ServerContext } from './context.ts';
import type { OptionalAdmissionPlugin } from './admission.ts';
import { handleRequest } from './dispatch.ts';
import { DEFAULT_AUTHORIZATION_MODES, type AuthorizationMode } from './authorizer.ts';
import { ensureSystemObjects } from './bootstrap.ts';
import { memorySigningKey, type SigningKeySource } from './signing-key.ts';
import { followWrites } from './write-liveness.ts';
import { kvClient } from './kv-client.ts';
import { Unreadable, ValueCodec } from './encryption/storage.ts';
import type { Transformers } from './encryption/transformer.ts';
import { kindsModel } from './model.ts';
import { claimHeld } from './services.ts';
import { REGISTRY_PREFIX } from './storage-keys.ts';
import { DEFAULT_WINDOW, DEFAULT_WINDOW_BYTES, WatchCache } from './watch-cache.ts';
import { bookmark, WatcherSet } from './watchers.ts';
import type { Auditor } from './audit/auditor.ts';
import { BusAudit } from './audit/bus.ts';
import { FlowControl, type FlowControlOptions } from './flowcontrol/controller.ts';
import { cacheConfigSource } from './flowcontrol/source.ts';

import { DEFAULT_TOLERATION_SECONDS, type DefaultTolerationSeconds } from '../../api/defaults/pod.ts';

/**
 * The heartbeat period `kubeactor up` sets on NATS, where a component's watch can outlive the
 * apiserver process serving it: an informer notices such a dead stream after 3 silent periods
 * (15–20 s), as client-go notices a dead HTTP/2 connection after 30 s idle + a 15 s ping.
 */
export const NATS_PROGRESS_NOTIFY_MS = 5_000;

export interface ApiServerOptions {
  /** Service CIDR for cluster IPs (default 127.96.0.0/12, see DEFAULT_SERVICE_CIDR). */
  serviceCidr?: string;
  /** Events kept per resource for watches resuming from a resourceVersion (default 4096). */
  watchWindow?: number;
  /** Bytes of objects (as JSON) kept per resource in that window, oldest dropped first (default 64 MiB). */
  watchWindowBytes?: number;
  /** How long a read waits for the cache to reach a revision (default 3000 ms, Kubernetes' value). */
  cacheWaitMs?: number;
  /** Create the `kubernetes` Service in default at boot (default true). */
  kubernetesService?: boolean;
  /** Create the default StorageClass `local-path` at boot when it is missing (default true). */
  defaultStorageClass?: boolean;
  /** Create the default IngressClass `kubeactor` at boot when it is missing (default true). */
  defaultIngressClass?: boolean;
  /** Seconds of the not-ready / unreachable tolerations admission adds to pods (default 300 each, Kubernetes' flags). */
  defaultTolerationSeconds?: Partial<DefaultTolerationSeconds>;
  /** kube-apiserver's --disable-admission-plugins, for the plugins that may be off (OPTIONAL_ADMISSION_PLUGINS); default none. */
  disableAdmissionPlugins?: readonly OptionalAdmissionPlugin[];
  /** kube-apiserver's --authorization-mode (default Node,RBAC); system:masters is allowed before it. */
  authorizationModes?: readonly AuthorizationMode[];
  /** Where the ServiceAccount signing key comes from (default: made in memory per incarnation). */
  signingKey?: SigningKeySource;
  /** Encryption at rest (--encryption-provider-config, encryption/config.ts); absent: every value is stored as is. */
  encryption?: Transformers;
  /**
   * The bus the apiserver talks to storage over. After it reconnects the kv watch may have
   * lost events (NATS delivers at most once), so the cache resumes its watch from its own
   * revision. Absent (replays, in-process specs): no reconnects to follow.
   */
  bus?: { onState(listener: (state: BusState) => void): () => void };
  /** The audit policy and log (a capability like the signing key: never recorded); absent: no audit. */
  audit?: Auditor;
  /**
   * API Priority and Fairness (kube-apiserver's --enable-priority-and-fairness): a FlowControl
   * shared with the HTTP front (its metrics and debug endpoints), its limits (a FlowControl of
   * this incarnation's own: how a replay gets it), or false to turn it off. Default: on, with
   * upstream's limits.
   */
  flowControl?: FlowControl | FlowControlOptions | false;
  /**
   * Progress heartbeats (etcd's progress notify; Kubernetes sends its bookmarks once a minute):
   * every this many ms, a BOOKMARK to each watch that allows bookmarks and was sent nothing
   * since the last one; the watch's reply says the period, so a watcher that hears nothing for
   * several periods knows its stream is dead (its apiserver's process died) and watches again
   * elsewhere. One timer per apiserver. 0 or absent: none (in one process a watch cannot go
   * silent without being ended); `kubeactor up` on NATS sets 5 s.
   */
  progressNotifyMs?: number;
}

export interface ApiServerEffects {
  readonly context: ServerContext;
  boot(): Promise<void>;
  reprime(): Promise<void>;
  handle(env: Envelope): void;
  defer(env: Envelope): void;
  flushDeferred(): void;
  applyKvEvents(env: Envelope): void;
  isCurrentWatch(env: Envelope): boolean;
  /** The batch is from the current kv watch and does not continue the cache: one was lost. */
  isGapped(env: Envelope): boolean;
  /**
   * Calls `listener` when the cache may have missed kv events without a hole showing: the
   * bus reconnected, or a consistent read found the cache behind storage for its whole wait.
   * One listener per incarnation: a later call replaces it.
   */
  onStale(listener: () => void): void;
  /** Answers a request 503 at once (storage is unreachable and the cache is not catching up). */
  refuse(env: Envelope): void;
  /** Answers every deferred request 503. */
  refuseDeferred(): void;
  tick(): void;
  shutdown(): void;
}

const unwrap = <T>(r: Result<T>, what: string): T => {
  if (!r.ok) throw new Error(`${what}: ${r.status.message}`);
  return r.value;
};

export function apiServerEffects(ctx: ActorContext, opts: ApiServerOptions = {}): ApiServerEffects {
  const { lookup, model } = kindsModel();
  const cache = new WatchCache(ctx.clock, opts.watchWindow ?? DEFAULT_WINDOW, opts.watchWindowBytes ?? DEFAULT_WINDOW_BYTES);
  const watchers = new WatcherSet(ctx.port);
  cache.onEvents((gr, events) => watchers.dispatch(gr, events));
  // kube-apiserver counts what etcd holds per resource; the watch cache holds exactly that (unreadable keys included), read at scrape time.
  ctx.metrics.gauge('apiserver_storage_objects',
    '[STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.',
    ['resource']).collect(() => [...cache.resources.values()].map((r) => [{ resource: r.gr }, r.items.size + r.unreadable.size]), 'apiserver');
  let staleListener: (() => void) | undefined;
  const stale = { emit: () => staleListener?.() };
  const codec = new ValueCodec(opts.encryption ?? null);
  const cacheWaitMs = opts.cacheWaitMs ?? 3000;
  const writes = followWrites(kvClient(ctx.port), () => cache.rv, ctx.clock, cacheWaitMs, () => stale.emit());
  const s: ServerContext = {
    port: ctx.port,
    kv: writes.kv,
    codec,
    cache,
    watchers,
    clock: ctx.clock,
    newId: ctx.newId,
    random: ctx.random,
    log: ctx.log,
    lookup,
    model,
    clusterIPs: new ClusterIPAllocator(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR, ctx.random),
    nodePorts: new NodePortAllocator(ctx.random),
    cacheWaitMs,
    ...(opts.progressNotifyMs ? { progressNotifyMs: opts.progressNotifyMs } : {}),
    tolerationSeconds: { ...DEFAULT_TOLERATION_SECONDS, ...opts.defaultTolerationSeconds },
    admissionDisabled: new Set(opts.disableAdmissionPlugins ?? []),
    authorizationModes: opts.authorizationModes ?? DEFAULT_AUTHORIZATION_MODES,
    signingKey: opts.signingKey ?? memorySigningKey(),
    cacheStale: () => stale.emit(),
    ...(opts.audit ? { audit: new BusAudit(opts.audit, ctx.clock) } : {}),
    ...(opts.flowControl === false ? {} : { flow: opts.flowControl instanceof FlowControl ? opts.flowControl : new FlowControl(opts.flowControl) }),
  };
  s.flow?.attach(cacheConfigSource(cache), ctx.clock);
  let watchId = '';
  let watchSeq = 0;
  let lastError = 'storage is unavailable';
  const deferred: Envelope[] = [];
  let busWas: BusState = 'connected';
  const stopFollowingBus = opts.bus?.onState((state) => {
    if (state === 'connected' && busWas === 'reconnecting') stale.emit();
    busWas = state;
  });
  let heartbeat: TimerId | undefined;
  const beat = (every: number): void => {
    heartbeat = ctx.clock.setTimeout(() => {
      watchers.heartbeat(cache.rv);
      beat(every);
    }, every);
  };
  if (opts.progressNotifyMs) beat(opts.progressNotifyMs);
  const refusal = () => unavailable(`storage is unavailable: ${lastError}`);

  async function rangeAll(): Promise<{ records: KvRecord[]; revision: number }> {
    const records: KvRecord[] = [];
    let cont: string | undefined;
    let revision: number | undefined;
    do {
      const page = unwrap(await s.kv.range(REGISTRY_PREFIX, { limit: 5000, continue: cont, revision }), 'priming the watch cache');
      for (const rec of page.items) records.push(codec.decode(rec));
      revision ??= page.revision;
      cont = page.continue;
    } while (cont);
    return { records, revision: revision ?? 0 };
  }

  async function prime(): Promise<void> {
    const { records, revision } = await rangeAll();
    cache.prime(records, revision);
    s.flow?.invalidate();
    for (const rec of records) if (rec.key.startsWith(`${REGISTRY_PREFIX}services/`) && !(rec.value instanceof Unreadable)) claimHeld(s, rec.value as never);
    await startWatch(revision);
  }

  async function startWatch(after: number): Promise<Result<unknown>> {
    // The previous watch may still be open (a lost batch, a reconnect): stop it feeding a cache that no longer reads it.
    if (watchId) s.kv.unwatch(watchId);
    const id = `apiserver.registry.${++watchSeq}`;
    watchId = id;
    const r = await s.kv.watch(id, REGISTRY_PREFIX, after);
    if (!r.ok) lastError = r.status.message;
    return r;
  }

  return {
    context: s,
    async boot() {
      await prime();
      await ensureSystemObjects(s, { kubernetesService: opts.kubernetesService ?? true, defaultStorageClass: opts.defaultStorageClass ?? true, defaultIngressClass: opts.defaultIngressClass ?? true });
    },
    async reprime() {
      // Resume where the cache stopped; only when the store no longer has that history rebuild from scratch.
      const resumed = await startWatch(cache.rv);
      if (resumed.ok) return;
      if (!isGone(resumed)) throw new Error(`re-watching storage: ${resumed.status.message}`);
      watchers.endAll(expired('the apiserver re-initialized its watch cache; re-list and watch again'));
      await prime();
    },
    handle: (env) => handleRequest(s, env),
    defer: (env) => void deferred.push(env),
    flushDeferred() {
      for (const env of deferred.splice(0)) handleRequest(s, env);
    },
    applyKvEvents(env) {
      if (isMessage(env, 'kv.events') && env.payload.id === watchId) cache.applyKv(codec.decodeEvents(env.payload.events));
    },
    isCurrentWatch: (env) => (isMessage(env, 'kv.watch-ended') || isMessage(env, 'kv.events')) && env.payload.id === watchId,
    isGapped: (env) => isMessage(env, 'kv.events') && env.payload.id === watchId && !cache.continues(env.payload.events),
    onStale(listener) {
      staleListener = listener;
    },
    refuse(env) {
      if (env.corr !== undefined) s.port.reply(env, { ok: false, status: refusal() });
    },
    refuseDeferred() {
      for (const env of deferred.splice(0)) if (env.corr !== undefined) s.port.reply(env, { ok: false, status: refusal() });
    },
    tick() {
      for (const w of watchers.all()) if (w.bookmarks) watchers.push(w, bookmark(w, cache.rv));
      const addresses = new Set(watchers.all().map((w) => w.address));
      for (const address of addresses) {
        void s.port.request(address, 'sys.ping', { n: 0 }, { timeoutMs: 5000 }).then((r) => {
          // Only "no actor at the address" means gone; a slow or ping-less watcher keeps its watches.
          if (!r.ok && isServiceUnavailable(r)) watchers.removeAddress(address);
        });
      }
    },
    shutdown() {
      stopFollowingBus?.();
      writes.stop();
      if (heartbeat !== undefined) ctx.clock.clearTimeout(heartbeat);
      watchers.endAll(unavailable('the apiserver is shutting down'));
      s.audit?.shutdown();
      if (watchId) s.kv.unwatch(watchId);
      for (const env of deferred.splice(0)) if (env.corr !== undefined) s.port.reply(env, { ok: false, status: unavailable('the apiserver is shutting down') });
    },
  };
}
