import type { Worker } from 'node:worker_threads';
import type { Port } from '../../bus/bus.ts';
import { NODES } from '../../bus/identities.ts';
import type { WorkersBus } from '../../bus/workers/bus.ts';
import { startWorkerThread } from '../../bus/workers/thread.ts';
import { ApiClient, targets } from '../client/index.ts';
import type { KubeletOptions } from '../kubelet/config.ts';
import { NodeAddressPool } from '../kubelet/node-pool.ts';
import type { RuntimeName } from '../kubelet/node-runtimes.ts';
import type { NodeWorkerData, NodeWorkerReport } from './data.ts';

const ENTRY = new URL('./entry.ts', import.meta.url);
/** How long a worker may take to stop its kubelets before it is terminated. */
const STOP_GRACE_MS = 10_000;

export interface NodeWorkersOptions {
  bus: WorkersBus;
  /** Worker threads (at least 1, at most `count`). */
  workers: number;
  /** Nodes node-1 … node-`count`, spread over the workers in contiguous blocks. */
  count: number;
  /** A port to list the Nodes the apiserver has (a restarted cluster's nodes keep their addresses). */
  lister: Port;
  seed: number;
  defaultRuntime: RuntimeName;
  imagesFile?: string | undefined;
  dataDir: string;
  clusterCIDR: string;
  nodeRange?: string | undefined;
  clusterDNS?: string[] | undefined;
  /** Start each node's kube-proxy with its kubelet (as `up` does; default false, as simulations of many nodes carry no traffic). */
  proxy?: boolean;
  /** Each kubelet's options (plain data: it is copied to the worker). */
  configure: (name: string) => Partial<KubeletOptions>;
}

export interface NodeWorkers {
  readonly names: string[];
  /** The nodes of each worker, in worker order. */
  readonly threads: readonly (readonly string[])[];
  /** Stops every worker's kubelets (their pods with them) and waits for the threads to end. */
  stop(): Promise<void>;
}

/**
 * Runs `count` kubelets in `workers` worker threads beside the control plane (`kubeactor up
 * --workers N`). The main thread allocates every node's InternalIP and pod range (as
 * startSimNodes does: a Node the apiserver has keeps its pair), then starts the threads at
 * once; it resolves when every kubelet in every thread has registered its Node. A worker
 * speaks as the `nodes` identity: it may hold kubelet.*, proxy.* and pod.* only.
 */
export async function startNodeWorkers(o: NodeWorkersOptions): Promise<NodeWorkers> {
  if (o.workers < 1 || o.workers > o.count) throw new Error(`workers must be between 1 and the node count (${o.count})`);
  const listed = await new ApiClient(o.lister).list(targets.nodes());
  if (!listed.ok) throw new Error(`listing nodes: ${listed.status.message}`);
  const pool = new NodeAddressPool(o.clusterCIDR, undefined, o.nodeRange);
  pool.seed(listed.value.items ?? []);
  const names = Array.from({ length: o.count }, (_, i) => `node-${i + 1}`);
  const per = Math.ceil(o.count / o.workers);
  const threads = Array.from({ length: o.workers }, (_, w) => names.slice(w * per, (w + 1) * per)).filter((b) => b.length > 0);
  const started = threads.map((block, w) => {
    const data: NodeWorkerData = {
      index: w + 1,
      names: block,
      addresses: block.map((n) => [n, pool.forNode(n)]),
      seed: o.seed,
      defaultRuntime: o.defaultRuntime,
      imagesFile: o.imagesFile,
      dataDir: o.dataDir,
      clusterCIDR: o.clusterCIDR,
      clusterDNS: o.clusterDNS,
      proxy: o.proxy ?? false,
      configs: Object.fromEntries(block.map((n) => [n, o.configure(n)])),
    };
    const worker = startWorkerThread(o.bus, ENTRY, NODES, data);
    return { worker, exited: new Promise<number>((res) => worker.once('exit', res)), ready: untilReady(worker, w + 1) };
  });
  const stop = async () => {
    await Promise.all(started.map(async ({ worker, exited }, w) => {
      worker.postMessage({ type: 'stop' });
      const t = setTimeout(() => {
        console.error(`kubeactor: warning: worker ${w + 1} did not stop within ${STOP_GRACE_MS / 1000}s: terminated`);
        void worker.terminate();
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(t);
    }));
  };
  const results = await Promise.allSettled(started.map((s) => s.ready));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { names, threads, stop };
}

function untilReady(worker: Worker, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.on('message', (r: NodeWorkerReport) => {
      if (r.type === 'ready') resolve();
      if (r.type === 'failed') reject(new Error(`worker ${index}: ${r.message}`));
    });
    worker.on('error', (err) => {
      // After start-up nothing awaits this promise: the error must still be seen.
      console.error(`kubeactor: worker ${index} failed:`, err);
      reject(new Error(`worker ${index}: ${err.message}`));
    });
    worker.once('exit', (code) => reject(new Error(`worker ${index} exited (code ${code}) before its nodes registered`)));
  });
}
