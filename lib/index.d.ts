// Types of the package entry (lib/index.js). They restate lib/cluster.ts's exports so that a
// consumer's compiler never reads our TypeScript sources; spec/lib/types.spec.ts checks that
// the two agree.

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

/**
 * Starts a whole cluster in this process (memory store, apiserver on a free loopback port,
 * scheduler, every controller, simulated nodes) and resolves once the API answers.
 */
export function startCluster(options?: ClusterOptions): Promise<Cluster>;
