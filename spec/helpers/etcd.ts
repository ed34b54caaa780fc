/**
 * Specs start their own etcd (one member or a three-member cluster) on free loopback ports
 * with a temporary data directory; the launcher lives in actors/etcd-server.ts so that
 * benches share it. `etcdLeftovers()` lists members still running, for a spec's last check.
 */
import { processesNaming } from './processes.ts';

export { startEtcd, type EtcdCluster, type EtcdClusterOptions, type EtcdMember } from '../../actors/etcd-server.ts';

/** etcd processes started by a spec (their data directory is under a `kubeactor-etcd-` temporary directory). */
export const etcdLeftovers = (): string[] => processesNaming('kubeactor-etcd-').filter((p) => p.includes('etcd --name'));
