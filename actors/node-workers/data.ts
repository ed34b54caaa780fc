import type { KubeletOptions } from '../kubelet/config.ts';
import type { RuntimeName } from '../kubelet/node-runtimes.ts';
import type { NodeAddresses } from '../kubelet/node-pool.ts';

/**
 * What the main thread hands a node worker (structured-cloned: plain data only). Everything
 * a flag decides is decided on the main thread, once; the worker only builds actors.
 */
export interface NodeWorkerData {
  /** 1-based, for log lines. */
  index: number;
  names: string[];
  /** InternalIP and pod range per node, allocated by the main thread for every worker at once. */
  addresses: [string, NodeAddresses][];
  seed: number;
  defaultRuntime: RuntimeName;
  /** The process runtime's image map file (`--images`), read in the worker. */
  imagesFile?: string | undefined;
  dataDir: string;
  clusterCIDR: string;
  /** The kubelets' clusterDNS (default: the kubelet's own, as startSimNodes leaves it). */
  clusterDNS?: string[] | undefined;
  /** Start each node's kube-proxy with its kubelet. */
  proxy: boolean;
  /** Each kubelet's options from the flags (root dir, host paths, sync period, events), by node name. */
  configs: Record<string, Partial<KubeletOptions>>;
}

/** Worker → main on the thread's parentPort. */
export type NodeWorkerReport = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'stopped' };
/** Main → worker. */
export type NodeWorkerCommand = { type: 'stop' };
