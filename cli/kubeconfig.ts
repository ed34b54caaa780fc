import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseGoDuration } from '../api/duration.ts';
import { writeKubeconfig } from '../actors/apiserver/http/kubeconfig.ts';
import { tlsFiles } from '../actors/apiserver/http/tls/cert.ts';
import { certificateAuthority, DEFAULT_SIGNING_DURATION_MS, issueClientCertificate } from '../actors/apiserver/http/tls/client-certs.ts';
import { CliError, parse, UsageError } from './args.ts';

export const KUBECONFIG_HELP = `kubeactor kubeconfig — write a kubeconfig for a new user, with a client certificate

Usage: kubeactor kubeconfig --user NAME [--group GROUP]... [--ttl D] [--data-dir DIR] [-o FILE]

Makes a key and a client certificate signed by the cluster's CA (CN=NAME, one O per group, as
kube-apiserver's --client-ca-file reads them: the user NAME in those groups and
system:authenticated) and writes a kubeconfig for the cluster \`kubeactor up\` serves from DIR.
What the user may do is up to RBAC: bind a Role or ClusterRole to the user or a group.

Flags:
  --user NAME        the user (the certificate's CN); required
  --group GROUP      a group the user is in (an O of the certificate); repeatable
  --ttl D            how long the certificate is valid (Go duration, default 8760h: a year, as
                     kube-controller-manager's --cluster-signing-duration)
  --data-dir DIR     the cluster's data directory (default .kubeactor)
  -o, --output FILE  where to write the kubeconfig (default DIR/users/NAME.kubeconfig; mode 0600)
  -h, --help         this text

Example:
  kubeactor kubeconfig --user alice --group dev
  kubectl --kubeconfig .kubeactor/users/alice.kubeconfig auth whoami`;

/** The server URL of the admin kubeconfig `up` wrote in the data directory. */
async function serverOf(dataDir: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'kubeconfig'), 'utf8');
  } catch {
    throw new CliError(`no kubeconfig in ${dataDir}: start the cluster first (kubeactor up --data-dir ${dataDir})`);
  }
  const doc = parseYaml(text) as { clusters?: { cluster?: { server?: string } }[] } | null;
  const server = doc?.clusters?.[0]?.cluster?.server;
  if (!server) throw new CliError(`${join(dataDir, 'kubeconfig')} names no server`);
  return server;
}

export async function kubeconfig(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    user: { type: 'string' },
    group: { type: 'string', multiple: true },
    ttl: { type: 'string' },
    'data-dir': { type: 'string' },
    output: { type: 'string', short: 'o' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const user = values.user;
  if (!user) throw new UsageError('--user is required');
  const groups = values.group ?? [];
  if (groups.some((g) => g === '')) throw new UsageError('--group must not be empty');
  let ttlMs = DEFAULT_SIGNING_DURATION_MS;
  if (values.ttl !== undefined) {
    const ms = parseGoDuration(values.ttl);
    if (ms === null || ms <= 0) throw new UsageError(`--ttl must be a positive duration like 24h or 90m, got "${values.ttl}"`);
    ttlMs = ms;
  }
  const dataDir = resolve(values['data-dir'] ?? '.kubeactor');
  const server = await serverOf(dataDir);
  const files = tlsFiles(dataDir);
  let caCert: string;
  let caKey: string;
  try {
    [caCert, caKey] = await Promise.all([readFile(files.caCert, 'utf8'), readFile(files.caKey, 'utf8')]);
  } catch {
    throw new CliError(`no cluster CA in ${join(dataDir, 'pki')}: start the cluster first (kubeactor up --data-dir ${dataDir})`);
  }
  const ca = certificateAuthority(caCert, caKey);
  const issued = issueClientCertificate(ca, { user, groups, ttlMs, now: Date.now() });
  const path = resolve(values.output ?? join(dataDir, 'users', `${user.replace(/[^A-Za-z0-9._@-]/g, '_')}.kubeconfig`));
  await writeKubeconfig({ dataDir: join(path, '..'), server, caCert, clientCertificate: issued, user }, path);
  const notAfter = new Date(new X509Certificate(issued.cert).validTo).toISOString().replace(/\.\d+Z$/, 'Z');
  const inGroups = groups.length ? `groups ${groups.join(', ')}` : 'no groups';
  console.log(`kubeconfig: ${path} (user ${user}, ${inGroups}; certificate valid until ${notAfter})`);
  console.log(`  kubectl --kubeconfig ${path} auth whoami`);
  return 0;
}
