/**
 * Specs start their own etcd (one member or a three-member cluster) on free loopback ports
 * with a temporary data directory; the launcher lives in actors/etcd-server.ts so that
 * benches share it. `etcdLeftovers()` lists members still running, for a spec's last check.
 */
import { rmSync } from 'node:fs';
import { processesNaming } from './processes.ts';
import { startEtcd, startedEtcdDirs, type EtcdCluster } from '../../actors/etcd-server.ts';
import { EtcdKv } from '../../actors/kv/etcd.ts';
import { MemoryKv } from '../../actors/kv/memory.ts';
import type { KvBackend } from '../../actors/kv/backend.ts';

export { startEtcd, type EtcdCluster, type EtcdClusterOptions, type EtcdMember } from '../../actors/etcd-server.ts';

/** etcd members this process started that still run (found by their data directories, so other runs' do not count). */
export const etcdLeftovers = (): string[] => startedEtcdDirs().flatMap((dir) => processesNaming(`${dir}/`));

let shared: Promise<EtcdCluster> | null = null;
let opened = 0;

/**
 * The kv backend an end-to-end spec runs its control plane on: memory, or with
 * `KUBEACTOR_SPEC_STORAGE=etcd` a real etcd — one member started on first use in this process,
 * killed and removed when the process exits — with a key prefix of its own per call, so the
 * same spec proves the apiserver unchanged on top of etcd.
 */
export async function specBackend(): Promise<KvBackend> {
  if (process.env.KUBEACTOR_SPEC_STORAGE !== 'etcd') return new MemoryKv();
  if (!shared) {
    shared = startEtcd({ unref: true });
    const cluster = await shared;
    process.on('exit', () => rmSync(cluster.dir, { recursive: true, force: true }));
  }
  const cluster = await shared;
  return EtcdKv.open({ endpoints: cluster.endpoints, prefix: `/spec-${process.pid}-${++opened}` });
}
