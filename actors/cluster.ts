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
import { JetStreamKv } from './kv/jetstream.ts';
import { NatsBus } from '../bus/nats/bus.ts';
import { SplitBus } from '../bus/split.ts';
import { connect } from '@nats-io/transport-node';
import { startControlPlaneCore, type ControlPlaneCore } from './apiserver/start.ts';
import { fileSigningKey, forgetLegacySigningKey, signingKeyPath } from './apiserver/signing-key.ts';
import type { ApiServerActorOptions } from './apiserver/actor.ts';

/**
 * The kv actor's backend: embedded LMDB, memory, an etcd cluster (`etcd://HOST:PORT[,HOST:PORT…]`),
 * or `jetstream=nats://HOST:PORT[,…]`: a JetStream bucket (`kubeactor`, R1) on those servers over
 * a connection of its own (benches on the in-process bus).
 */
export type StorageKind = 'lmdb' | 'memory' | `etcd://${string}` | `jetstream=${string}`;

export const isEtcdStorage = (s: string): s is `etcd://${string}` => s.startsWith('etcd://');
export const isJetStreamStorage = (s: string): s is `jetstream=${string}` => /^jetstream=nats:\/\/\S+$/.test(s);
/** A backend with its settings: `jetstream` stores in a KV bucket on the bus's NATS servers (the bus must be a NatsBus). */
export type StorageChoice = { kind: StorageKind } | { kind: 'jetstream'; bucket: string; replicas: 1 | 3 };

export interface ControlPlaneOptions {
  bus: Bus;
  clock?: Clock;
  seed?: number;
  logger?: Logger;
  storage: StorageKind | StorageChoice;
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
  const storage = typeof opts.storage === 'string' ? { kind: opts.storage } : opts.storage;
  const backend =
    storage.kind === 'jetstream'
      ? await openJetStream(opts.bus, storage)
      : isJetStreamStorage(storage.kind)
        ? await ownJetStream(storage.kind.slice('jetstream='.length).split(','))
        : await openBackend(storage.kind, opts.dataDir, opts.etcd);
  // A durable store keeps its signing key beside it (a file, never the kv); a memory store's tokens end with it.
  let apiserver = opts.apiserver;
  if (storage.kind !== 'memory') {
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

/** The jetstream backend over the bus's own NATS connection (the bus closes it, after the backend). */
async function openJetStream(given: Bus, s: { bucket: string; replicas: 1 | 3 }): Promise<KvBackend> {
  // One of several apiservers: its kv actor is private to the process, its bucket shared over NATS.
  const bus = given instanceof SplitBus ? given.remote : given;
  if (!(bus instanceof NatsBus)) throw new Error('the jetstream storage needs the NATS bus (--bus nats://…)');
  return JetStreamKv.open({ nc: bus.connection, bucket: s.bucket, replicas: s.replicas });
}

/** The jetstream backend on its own NATS connection, closed with it. */
async function ownJetStream(servers: string[]): Promise<KvBackend> {
  const nc = await connect({ servers });
  const kv = await JetStreamKv.open({ nc });
  const close = kv.close.bind(kv);
  kv.close = async () => {
    await close();
    await nc.close();
  };
  return kv;
}
