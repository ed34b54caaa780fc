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
  /** The bearer token the user presents; or, instead, a client certificate. */
  token?: string;
  /** A client certificate and its key (PEM), signed by the cluster CA, when there is no token. */
  clientCertificate?: { cert: string; key: string };
  /** Name of the cluster, user and context (default "kubeactor"). */
  name?: string;
  /** The user's name in the file, when it is not the admin (the context is then USER@NAME). */
  user?: string;
  /** The context's default namespace. */
  namespace?: string;
}

/** The kubeconfig document (clientcmd v1 Config) for the front. */
export function kubeconfigDocument(opts: Omit<KubeconfigOptions, 'dataDir'>): Record<string, unknown> {
  const name = opts.name ?? 'kubeactor';
  const user = opts.user ?? name;
  const contextName = opts.user ? `${opts.user}@${name}` : name;
  const context: Record<string, string> = { cluster: name, user };
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const credentials = opts.clientCertificate
    ? { 'client-certificate-data': b64(opts.clientCertificate.cert), 'client-key-data': b64(opts.clientCertificate.key) }
    : { token: opts.token };
  if (opts.namespace) context.namespace = opts.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caCert).toString('base64') } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
  };
}

/**
 * Writes `<dataDir>/kubeconfig` or `path` (mode 0600: it holds a credential) and returns its path,
 * for `KUBECONFIG=<path> kubectl ...`.
 */
export async function writeKubeconfig(opts: KubeconfigOptions, path = join(opts.dataDir, 'kubeconfig')): Promise<string> {
  ensurePrivateDir(opts.dataDir);
  await writeFile(path, stringify(kubeconfigDocument(opts)), { mode: PRIVATE_FILE_MODE });
  return path;
}
