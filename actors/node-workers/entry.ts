/**
 * The entry of a node worker thread (`kubeactor up --workers N`): the kubelets of its share
 * of the nodes, with their pod actors, one sim runtime, process runtimes and kube-proxies —
 * exactly what `kubeactor node` runs in its own process — on a bus joined to the main
 * thread's (bus/workers/). It reports on its parentPort (NodeWorkerReport) and stops on
 * the main thread's `stop`, after which nothing keeps the thread alive.
 */
import { parentPort } from 'node:worker_threads';
import { threadBus } from '../../bus/workers/thread.ts';
import { startNodeProcess, type NodeProcess } from '../node-process.ts';
import { imageCatalogue } from '../runtime/images/catalogue.ts';
import { loadImageMap } from '../runtime/images/user-map.ts';
import type { Logger } from '../actor-def.ts';
import type { NodeWorkerCommand, NodeWorkerData, NodeWorkerReport } from './data.ts';

const control = parentPort!;
const { bus, data } = threadBus<NodeWorkerData>({ requestTimeoutMs: 60_000 });
const report = (r: NodeWorkerReport) => control.postMessage(r);
const tag = `kubeactor: worker ${data.index}:`;
const runtimeLog: Logger = {
  info: (m) => console.log(`${tag} ${m}`),
  warn: (m) => console.error(`${tag} warning: ${m}`),
  error: (m) => console.error(`${tag} warning: ${m}`),
};

let running: NodeProcess | undefined;
try {
  running = await startNodeProcess({
    bus,
    names: data.names,
    seed: data.seed,
    defaultRuntime: data.defaultRuntime,
    images: imageCatalogue(data.imagesFile ? loadImageMap(data.imagesFile) : []),
    dataDir: data.dataDir,
    clusterCIDR: data.clusterCIDR,
    addresses: new Map(data.addresses),
    configure: (name) => data.configs[name] ?? {},
    ...(data.clusterDNS ? { clusterDNS: data.clusterDNS } : {}),
    runtimeLog,
    proxy: data.proxy,
  });
  report({ type: 'ready' });
} catch (err) {
  // startNodeProcess stopped what it started and closed the bus.
  report({ type: 'failed', message: (err as Error).message });
  control.close();
}

control.on('message', (m: NodeWorkerCommand) => {
  if (m.type !== 'stop') return;
  void (async () => {
    await running?.stop();
    report({ type: 'stopped' });
    control.close();
  })();
});
