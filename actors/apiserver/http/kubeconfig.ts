import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../data-dir.ts';

export interface KubeconfigOptions {
  dataDir: string;
  /** The front's URL, https://127.0.0.1:<port> (client-go drops the token over plain http). */
  server: string;
  /** PEM of the CA that signed the front's certificate. */
  caCert: string;
  token: string;
  /** Name of the cluster, user and context (default "kubeactor"). */
  name?: string;
  /** The context's default namespace. */
  namespace?: string;
}

/** The kubeconfig document (clientcmd v1 Config) for the front. */
export function kubeconfigDocument(opts: Omit<KubeconfigOptions, 'dataDir'>): Record<string, unknown> {
  const name = opts.name ?? 'kubeactor';
  const context: Record<string, string> = { cluster: name, user: name };
  if (opts.namespace) context.namespace = opts.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caCert).toString('base64') } }],
    users: [{ name, user: { token: opts.token } }],
    contexts: [{ name, context }],
    'current-context': name,
    preferences: {},
  };
}

/**
 * Writes `<dataDir>/kubeconfig` (mode 0600: it holds the admin token) and returns its path,
 * for `KUBECONFIG=<path> kubectl ...`.
 */
export async function writeKubeconfig(opts: KubeconfigOptions): Promise<string> {
  ensurePrivateDir(opts.dataDir);
  const path = join(opts.dataDir, 'kubeconfig');
  await writeFile(path, stringify(kubeconfigDocument(opts)), { mode: PRIVATE_FILE_MODE });
  return path;
}
