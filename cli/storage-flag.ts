import { isEtcdStorage, type StorageChoice } from '../actors/cluster.ts';
import { UsageError } from './args.ts';

/**
 * `--storage lmdb|memory|etcd://HOST:PORT[,…]|jetstream[:BUCKET]` and `--storage-replicas 1|3`
 * (JetStream only).
 * JetStream keeps the store in a KV bucket (default `kubeactor`) on the bus's NATS servers,
 * so it needs `--bus nats://…`.
 */
export function storageFlag(storage: string | undefined, replicas: string | undefined, overNats: boolean): StorageChoice {
  const value = storage ?? 'lmdb';
  if (value === 'lmdb' || value === 'memory' || isEtcdStorage(value)) {
    if (replicas !== undefined) throw new UsageError('--storage-replicas needs --storage jetstream');
    return { kind: value };
  }
  const m = /^jetstream(?::([-\w]+))?$/.exec(value);
  if (!m) throw new UsageError(`--storage must be lmdb, memory, etcd://HOST:PORT[,HOST:PORT…] or jetstream[:BUCKET], got "${value}"`);
  if (!overNats) throw new UsageError('--storage jetstream needs --bus nats://…: the bucket lives on the bus\'s NATS servers');
  if (replicas !== undefined && replicas !== '1' && replicas !== '3') throw new UsageError(`--storage-replicas must be 1 or 3, got "${replicas}"`);
  return { kind: 'jetstream', bucket: m[1] ?? 'kubeactor', replicas: replicas === '3' ? 3 : 1 };
}

export function describeStorage(s: StorageChoice, dataDir: string, etcdPrefix: string): string {
  if (s.kind === 'jetstream') return `JetStream KV bucket ${s.bucket} (stream KV_${s.bucket}, R${s.replicas}, file storage)`;
  if (isEtcdStorage(s.kind)) return `etcd at ${s.kind.slice('etcd://'.length)} under ${etcdPrefix}`;
  return s.kind === 'lmdb' ? `lmdb at ${dataDir}/kv` : 'in memory (nothing survives a restart)';
}
