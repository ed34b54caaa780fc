/**
 * A whole Kubernetes cluster inside a test: `startCluster()` runs the kv (memory store), the
 * apiserver with its HTTPS front on a free loopback port, the scheduler, every controller
 * of kube-controller-manager and cloud-controller-manager, and simulated nodes, all in the
 * calling process, and resolves once the API answers. It binds nothing but its own port:
 * no kube-proxy listeners, no DNS server, no ingress or load-balancer sockets, so many
 * clusters run side by side in one process. `stop()` ends every actor and removes the
 * temporary directory (certificates, kubeconfig) unless one was given.
 *
 * What envtest gives Go operators (a real apiserver and etcd) this gives with the
 * controllers too: garbage collection, namespaces that finish deleting, Deployments whose
 * pods become Running.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InProcessBus } from '../bus/inprocess.ts';
import { startControlPlane } from '../actors/cluster.ts';
import { startKubectlFront } from '../actors/apiserver/http/index.ts';
import { loadOrCreateToken } from '../actors/apiserver/http/token.ts';
import { loadOrCreateTls, tlsFiles } from '../actors/apiserver/http/tls/cert.ts';
import { publishApiEndpoints } from '../actors/apiserver/kubernetes-endpoints.ts';
import { FlowControl } from '../actors/apiserver/flowcontrol/controller.ts';
import { startScheduler } from '../actors/scheduler/index.ts';
import { startMetricsServer } from '../actors/metrics-server/index.ts';
import { DEFAULT_METRIC_RESOLUTION_MS } from '../machines/metrics-server/chart.ts';
import { startControllers } from '../actors/controllers/index.ts';
import { startSimNodes } from '../actors/kubelet/index.ts';
import { realClock } from '../base/real-clock.ts';
import { silentLogger } from '../actors/logger.ts';
import { prepareLiveUi, startLiveUi } from '../actors/ui/live-source.ts';

/** What a test may choose; every field has the default a test usually wants. */
export interface ClusterOptions {
  /** Simulated nodes node-1 … node-N (default 1), so workloads' pods are scheduled and become Running. 0: none. */
  nodes?: number;
  /** Controllers to run, as kube-controller-manager's `--controllers` (default `*`: all enabled by default). */
  controllers?: string;
  /** Seed of every actor's ids and randomness (default 1): the same seed, the same uids. */
  seed?: number;
  /** Where the certificates and the kubeconfig are written (default: a temporary directory, removed by `stop`). */
  dataDir?: string;
  /** metrics-server's --metric-resolution in ms (default 15000): how often `kubectl top` and HPAs see new usage. 0: no metrics-server. */
  metricResolutionMs?: number;
  /** Serve the web UI (as `up --ui`) on a free loopback port; its address is `uiUrl` (default false). */
  ui?: boolean;
}

/** A running cluster. */
export interface Cluster {
  /** The kubeconfig's YAML: an admin (system:masters) token, the cluster's CA, the HTTPS URL. */
  readonly kubeconfig: string;
  /** The same kubeconfig on disk: `KUBECONFIG=<kubeconfigPath> kubectl get pods`. */
  readonly kubeconfigPath: string;
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** The CA certificate (PEM) the front serves with. */
  readonly caCert: string;
  /** The admin bearer token. */
  readonly token: string;
  /** `http://127.0.0.1:<port>/`: the web UI, when `ui` was asked for. */
  readonly uiUrl?: string;
  /** Stops every component and frees the port; removes the data directory when it was temporary. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'kubeactor-')) : resolve(options.dataDir);
  const seed = options.seed ?? 1;
  const bus = new InProcessBus();
  const clock = realClock;
  const flowControl = new FlowControl();
  // The UI's tap and actor feed exist before the host, so pods started later can be inspected too.
  const uiParts = options.ui ? prepareLiveUi(bus, clock) : undefined;
  const cp = await startControlPlane({ bus, clock, seed, storage: 'memory', dataDir, logger: silentLogger, apiserver: { flowControl }, ...(uiParts ? { inspectFor: (a: string) => uiParts.feed.inspectFor(a) } : {}) });
  const stops: (() => unknown)[] = [];
  try {
    const [tls, token] = await Promise.all([loadOrCreateTls(dataDir), loadOrCreateToken(dataDir)]);
    stops.push(startScheduler(cp.host).stop);
    const resolutionMs = options.metricResolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS;
    if (resolutionMs > 0) stops.push(startMetricsServer(cp.host, { resolutionMs }).stop);
    const controllers = startControllers(cp.host, {
      controllers: options.controllers ?? '*',
      options: {
        'local-path': { 'storage-dir': join(dataDir, 'storage') },
        'root-ca-cert-publisher': { 'root-ca': tls.caCert },
        csrsigning: { 'cluster-signing-cert-file': tlsFiles(dataDir).caCert, 'cluster-signing-key-file': tlsFiles(dataDir).caKey },
      },
    });
    stops.push(controllers.stop);
    const { front, kubeconfig } = await startKubectlFront({ bus, dataDir, port: 0, token, flowControl, metrics: cp.host.metrics });
    stops.push(() => front.close());
    stops.push(publishApiEndpoints(bus, new URL(front.url), () => {}).stop);
    const nodes = options.nodes ?? 1;
    if (nodes > 0) {
      const sim = await startSimNodes({ host: cp.host, count: nodes, startIndex: 1, clock, dataDir, log: silentLogger });
      stops.push(sim.stop);
    }
    const ui = uiParts ? await startLiveUi({ host: cp.host, bus, clock, prepared: uiParts }) : undefined;
    if (ui) stops.push(() => ui.close());
    let stopped: Promise<void> | undefined;
    return {
      kubeconfig: readFileSync(kubeconfig, 'utf8'),
      kubeconfigPath: kubeconfig,
      url: front.url,
      caCert: tls.caCert,
      token,
      ...(ui ? { uiUrl: ui.server.url } : {}),
      stop: () => (stopped ??= stopAll(stops, cp.stop, temporary ? dataDir : undefined)),
    };
  } catch (err) {
    await stopAll(stops, cp.stop, temporary ? dataDir : undefined);
    throw err;
  }
}

/** Stops in reverse order of starting (nodes before the front, the front before the store). */
async function stopAll(stops: (() => unknown)[], stopControlPlane: () => Promise<void>, removeDir: string | undefined): Promise<void> {
  for (const stop of stops.reverse()) await stop();
  await stopControlPlane();
  if (removeDir) rmSync(removeDir, { recursive: true, force: true });
}
