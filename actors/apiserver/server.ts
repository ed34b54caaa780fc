/**
 * One apiserver incarnation's effects: the ServerContext the verbs share, and the
 * implementations the chart (machines/apiserver.ts) invokes by name — boot, reprime,
 * handleRequest, deferRequest, applyKvEvents, tick, shutdown.
 */
import type { Envelope } from '../../bus/envelope.ts';
import type { KvRecord } from '../../bus/catalogue/kv.ts';
import { expired, unavailable, type Result } from '../../bus/status.ts';
import type { ActorContext } from '../actor-def.ts';
import { ClusterIPAllocator, DEFAULT_SERVICE_CIDR, NodePortAllocator } from './allocators.ts';
import type { ServerContext } from './context.ts';
import { handleRequest } from './dispatch.ts';
import { ensureSystemObjects } from './bootstrap.ts';
import { memorySigningKey, type SigningKeySource } from './signing-key.ts';
import { kvClient } from './kv-client.ts';
import { kindsModel } from './model.ts';
import { claimHeld } from './services.ts';
import { REGISTRY_PREFIX } from './storage-keys.ts';
import { DEFAULT_WINDOW, WatchCache } from './watch-cache.ts';
import { bookmark, WatcherSet } from './watchers.ts';

import { DEFAULT_TOLERATION_SECONDS, type DefaultTolerationSeconds } from '../../api/defaults/pod.ts';

export interface ApiServerOptions {
  /** Service CIDR for cluster IPs (default 10.96.0.0/12). */
  serviceCidr?: string;
  /** Events kept per resource for watches resuming from a resourceVersion (default 4096). */
  watchWindow?: number;
  /** How long a read waits for the cache to reach a revision (default 3000 ms, Kubernetes' value). */
  cacheWaitMs?: number;
  /** Create the `kubernetes` Service in default at boot (default true). */
  kubernetesService?: boolean;
  /** Seconds of the not-ready / unreachable tolerations admission adds to pods (default 300 each, Kubernetes' flags). */
  defaultTolerationSeconds?: Partial<DefaultTolerationSeconds>;
  /** Where the ServiceAccount signing key comes from (default: made in memory per incarnation). */
  signingKey?: SigningKeySource;
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
  tick(): void;
  shutdown(): void;
}

const unwrap = <T>(r: Result<T>, what: string): T => {
  if (!r.ok) throw new Error(`${what}: ${r.status.message}`);
  return r.value;
};

export function apiServerEffects(ctx: ActorContext, opts: ApiServerOptions = {}): ApiServerEffects {
  const { lookup, model } = kindsModel();
  const cache = new WatchCache(ctx.clock, opts.watchWindow ?? DEFAULT_WINDOW);
  const watchers = new WatcherSet(ctx.port);
  cache.onEvents((gr, events) => watchers.dispatch(gr, events));
  const s: ServerContext = {
    port: ctx.port,
    kv: kvClient(ctx.port),
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
    cacheWaitMs: opts.cacheWaitMs ?? 3000,
    tolerationSeconds: { ...DEFAULT_TOLERATION_SECONDS, ...opts.defaultTolerationSeconds },
    signingKey: opts.signingKey ?? memorySigningKey(),
  };
  let watchId = '';
  let watchSeq = 0;
  const deferred: Envelope[] = [];

  async function rangeAll(): Promise<{ records: KvRecord[]; revision: number }> {
    const records: KvRecord[] = [];
    let cont: string | undefined;
    let revision: number | undefined;
    do {
      const page = unwrap(await s.kv.range(REGISTRY_PREFIX, { limit: 5000, continue: cont, revision }), 'priming the watch cache');
      records.push(...page.items);
      revision ??= page.revision;
      cont = page.continue;
    } while (cont);
    return { records, revision: revision ?? 0 };
  }

  async function prime(): Promise<void> {
    const { records, revision } = await rangeAll();
    cache.prime(records, revision);
    for (const rec of records) if (rec.key.startsWith(`${REGISTRY_PREFIX}services/`)) claimHeld(s, rec.value as never);
    await startWatch(revision);
  }

  async function startWatch(after: number): Promise<Result<unknown>> {
    const id = `apiserver.registry.${++watchSeq}`;
    watchId = id;
    return s.kv.watch(id, REGISTRY_PREFIX, after);
  }

  return {
    context: s,
    async boot() {
      await prime();
      await ensureSystemObjects(s, { kubernetesService: opts.kubernetesService ?? true });
    },
    async reprime() {
      // Resume where the cache stopped; only when the store no longer has that history rebuild from scratch.
      const resumed = await startWatch(cache.rv);
      if (resumed.ok) return;
      if (resumed.status.code !== 410) throw new Error(`re-watching storage: ${resumed.status.message}`);
      watchers.endAll(expired('the apiserver re-initialized its watch cache; re-list and watch again'));
      await prime();
    },
    handle: (env) => handleRequest(s, env),
    defer: (env) => void deferred.push(env),
    flushDeferred() {
      for (const env of deferred.splice(0)) handleRequest(s, env);
    },
    applyKvEvents(env) {
      const p = env.payload as { id: string; events: Parameters<WatchCache['applyKv']>[0] };
      if (p.id === watchId) cache.applyKv(p.events);
    },
    isCurrentWatch: (env) => (env.payload as { id?: string }).id === watchId,
    tick() {
      for (const w of watchers.all()) if (w.bookmarks) watchers.push(w, bookmark(w, cache.rv));
      const addresses = new Set(watchers.all().map((w) => w.address));
      for (const address of addresses) {
        void s.port.request(address, 'sys.ping', { n: 0 }, { timeoutMs: 5000 }).then((r) => {
          // Only "no actor at the address" means gone; a slow or ping-less watcher keeps its watches.
          if (!r.ok && r.status.code === 503) watchers.removeAddress(address);
        });
      }
    },
    shutdown() {
      watchers.endAll(unavailable('the apiserver is shutting down'));
      if (watchId) s.kv.unwatch(watchId);
      for (const env of deferred.splice(0)) if (env.corr !== undefined) s.port.reply(env, { ok: false, status: unavailable('the apiserver is shutting down') });
    },
  };
}
