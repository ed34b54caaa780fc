import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { natsClusterConfigs, natsServerConfig, withJetStream } from '../bus/nats/index.ts';
import { isIdentity } from '../bus/identities.ts';
import { intFlag, parse, UsageError } from './args.ts';

export const NATS_CONFIG_HELP = `kubeactor nats-config — print a nats-server configuration for a Kubeactor cluster

Usage: kubeactor nats-config [--prefix PREFIX] [--user IDENTITY[:PASSWORD]]... [--jetstream]
       kubeactor nats-config --cluster 3 [--dir DIR] [--prefix PREFIX] [--user ...]...

Each process of a cluster connects to NATS as its own identity; the generated users and
permissions let each identity publish only as itself, subscribe only to the addresses it
may hold, and let only the control plane reach the kv actor. Identities: control-plane
(apiserver, kv, scheduler, controllers, the HTTP front), node-NAME (one node's kubelet),
nodes (a process simulating many nodes), and one per \`up --role\`: apiserver (the only
role that reaches the kv), scheduler, controller-manager. A user without :PASSWORD gets a
random one.

Flags:
  --prefix PREFIX        the cluster's subject prefix (default kubeactor; pass the same --nats-prefix to up/node)
  --user ID[:PASSWORD]   a process identity (repeatable; default: control-plane and nodes)
  --jetstream            let the control plane use JetStream (for --storage jetstream; start nats-server with -js)
  --cluster N            write N server configs DIR/nI.conf for a cluster on loopback (client ports 4222…,
                         routes 6222…, JetStream in DIR/nI, the same users everywhere) and print how to start them
  --dir DIR              where --cluster writes (default nats-cluster)
  --port N, --route-port N  the first server's client and route ports with --cluster (default 4222, 6222)
  -h, --help             this text

Example:
  kubeactor nats-config --user control-plane:s3cret --user nodes:n0des > kubeactor.conf
  nats-server -a 127.0.0.1 -p 4222 -c kubeactor.conf &
  kubeactor up --bus nats://127.0.0.1:4222 --nats-pass s3cret --nodes 0
  kubeactor node --bus nats://127.0.0.1:4222 --name worker --count 10 --nats-pass n0des

  kubeactor nats-config --cluster 3 --dir nats --user control-plane:s3cret --user nodes:n0des
  for i in 1 2 3; do nats-server -c nats/n$i.conf & done
  kubeactor up --bus nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224 --nats-pass s3cret \\
    --nodes 0 --storage jetstream --storage-replicas 3`;

export async function natsConfig(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    prefix: { type: 'string' },
    user: { type: 'string', multiple: true },
    jetstream: { type: 'boolean' },
    cluster: { type: 'string' },
    dir: { type: 'string' },
    port: { type: 'string' },
    'route-port': { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const specs = values.user?.length ? values.user : ['control-plane', 'nodes'];
  const users = specs.map((spec) => {
    const i = spec.indexOf(':');
    const identity = i < 0 ? spec : spec.slice(0, i);
    if (!isIdentity(identity)) throw new UsageError(`"${identity}" is not an identity (letters, digits, '-' and '_')`);
    return { identity, password: i < 0 ? randomBytes(12).toString('base64url') : spec.slice(i + 1) };
  });
  const prefix = values.prefix ?? 'kubeactor';
  try {
    if (values.cluster !== undefined) {
      const ports = { clientPort: intFlag('port', values.port, 4222), routePort: intFlag('route-port', values['route-port'], 6222) };
      return writeCluster(values.cluster, resolve(values.dir ?? 'nats-cluster'), prefix, users, ports);
    }
    process.stdout.write(natsServerConfig({ prefix, users: values.jetstream ? users.map((u) => withJetStream(u)) : users }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return 0;
}

function writeCluster(size: string, dir: string, prefix: string, users: { identity: string; password: string }[], ports: { clientPort: number; routePort: number }): number {
  if (!/^[1-9][0-9]?$/.test(size)) throw new UsageError(`--cluster must be a number of servers, got "${size}"`);
  // The directory holds passwords and the JetStream stores: private, as the data dir.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const configs = natsClusterConfigs({ size: Number(size), storeDir: dir, prefix, users, ...ports });
  for (const c of configs) writeFileSync(join(dir, `${c.name}.conf`), c.text, { mode: 0o600 });
  const urls = configs.map((c) => `nats://127.0.0.1:${c.port}`).join(',');
  process.stdout.write(
    [
      `wrote ${configs.map((c) => join(dir, `${c.name}.conf`)).join(', ')}`,
      `start: ${configs.map((c) => `nats-server -c ${join(dir, `${c.name}.conf`)}`).join(' & ')} &`,
      `join:  kubeactor up --bus ${urls} --nodes 0 --storage jetstream${configs.length >= 3 ? ' --storage-replicas 3' : ''}`,
      `       kubeactor node --bus ${urls} --name worker`,
      '',
    ].join('\n'),
  );
  return 0;
}