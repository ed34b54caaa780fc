/**
 * The apiserver's HTTP front, for the CLI and specs: `startKubectlFront` is the one call
 * that makes a running control plane reachable by kubectl.
 */
import type { Bus } from '../../../bus/bus.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { startHttpFront, type HttpFront, type HttpFrontOptions } from './server.ts';
import { loadOrCreateToken } from './token.ts';

export { startHttpFront, type HttpFront, type HttpFrontOptions } from './server.ts';
export { writeKubeconfig, kubeconfigDocument, type KubeconfigOptions } from './kubeconfig.ts';
export { loadOrCreateToken } from './token.ts';
export { ADMIN_USER } from './auth.ts';
export { DEFAULT_REQUEST_TIMEOUT_MS } from './deadline.ts';

export interface KubectlFront {
  front: HttpFront;
  /** `<dataDir>/kubeconfig`: `KUBECONFIG=<this> kubectl get pods`. */
  kubeconfig: string;
}

/**
 * Starts the front on 127.0.0.1:`port` (6443 like kube-apiserver, or 0 for a free one)
 * with the data directory's admin token and certificate, and writes the kubeconfig.
 */
export async function startKubectlFront(opts: { bus: Bus; dataDir: string; port?: number } & Partial<HttpFrontOptions>): Promise<KubectlFront> {
  const token = opts.token ?? (await loadOrCreateToken(opts.dataDir));
  const front = await startHttpFront({ ...opts, port: opts.port ?? 6443, address: '127.0.0.1', token });
  const kubeconfig = await writeKubeconfig({ dataDir: opts.dataDir, server: front.url, token, caCert: front.caCert });
  return { front, kubeconfig };
}
