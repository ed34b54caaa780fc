import { ensurePrivateDir } from './data-dir.ts';
import type { Bus } from '../bus/bus.ts';
import { type Clock } from '../base/clock.ts';
import { realClock } from '../base/real-clock.ts';
import { ActorHost, type ActorHostOptions } from './host.ts';
import type { Logger } from './actor-def.ts';
import { consoleLogger } from './logger.ts';
import type { KvBackend } from './kv/backend.ts';
import { LmdbKv } from './kv/lmdb.ts';
import { MemoryKv } from './kv/memory.ts';
import { EtcdKv, etcdOptionsFrom, type EtcdFlags } from './kv/etcd.ts';
import { startControlPlaneCore, type ControlPlaneCore } from './apiserver/start.ts';
import { fileSigningKey, forgetLegacySigningKey, signingKeyPath } from './apiserver/signing-key.ts';
import type { ApiServerActorOptions } from './apiserver/actor.ts';

/** The kv actor's backend: embedded LMDB, memory, or an etcd cluster (`etcd://HOST:PORT[,HOST:PORT…]`). */
export type StorageKind = 'lmdb' | 'memory' | `etcd://${string}`;

export const isEtcdStorage = (s: string): s is `etcd://${string}` => s.startsWith('etcd://');

export interface ControlPlaneOptions {
  bus: Bus;
  clock?: Clock;
  seed?: number;
  logger?: Logger;
  storage: StorageKind;
  /** With `etcd://…` storage: the prefix and TLS files (kube-apiserver's --etcd-* flags). */
  etcd?: EtcdFlags;
  /** The data directory; LMDB keeps the store in `<dataDir>/kv`. */
  dataDir: string;
  /** Chooses the actors to inspect (see ActorHostOptions.inspectFor). */
  inspectFor?: ActorHostOptions['inspectFor'];
  /** Options of the apiserver actor (service CIDR, default toleration seconds, …). */
  apiserver?: ApiServerActorOptions;
  /** Runs before the first actor starts, e.g. to attach a recorder to the bus and host. */
  beforeStart?: (host: ActorHost) => void;
}

/** A running control plane: the host, the storage backend and the kv + apiserver core. */
export interface ControlPlane {
  host: ActorHost;
  backend: KvBackend;
  core: ControlPlaneCore;
  /** Stops every actor, closes the store, then the bus. */
  stop(): Promise<void>;
}

/**
 * The composition root shared by `kubeactor up`, end-to-end specs and benches: one
 * ActorHost on the given bus, the storage backend, and the kv + apiserver core. Further
 * components (HTTP front, scheduler, controllers, kubelets) are started on `host`.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const clock = opts.clock ?? realClock;
  const host = new ActorHost({
    bus: opts.bus,
    clock,
    seed: opts.seed ?? 1,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.inspectFor ? { inspectFor: opts.inspectFor } : {}),
  });
  opts.beforeStart?.(host);
  const backend = await openBackend(opts.storage, opts.dataDir, opts.etcd);
  // A durable store keeps its signing key beside it (a file, never the kv); a memory store's tokens end with it.
  let apiserver = opts.apiserver;
  if (opts.storage !== 'memory') {
    await forgetLegacySigningKey(backend, opts.logger ?? consoleLogger);
    apiserver = { ...apiserver, signingKey: fileSigningKey(signingKeyPath(opts.dataDir)) };
  }
  const core = startControlPlaneCore({ bus: opts.bus, host, backend, ...(apiserver ? { apiserver } : {}) });
  await core.ready();
  let stopped = false;
  return {
    host,
    backend,
    core,
    async stop() {
      if (stopped) return;
      stopped = true;
      host.stopAll();
      await backend.close();
      await opts.bus.close();
    },
  };
}

export async function openBackend(kind: StorageKind, dataDir: string, etcd?: EtcdFlags): Promise<KvBackend> {
  if (kind === 'memory') return new MemoryKv();
  if (isEtcdStorage(kind)) return EtcdKv.open(etcdOptionsFrom(kind, etcd));
  ensurePrivateDir(dataDir);
  return new LmdbKv({ path: `${dataDir}/kv` });
}
