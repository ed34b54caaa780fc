import { randomBytes } from 'node:crypto';
import { natsServerConfig } from '../bus/nats/index.ts';
import { isIdentity } from '../bus/identities.ts';
import { parse, UsageError } from './args.ts';

export const NATS_CONFIG_HELP = `kubeactor nats-config — print a nats-server configuration for a Kubeactor cluster

Usage: kubeactor nats-config [--prefix PREFIX] [--user IDENTITY[:PASSWORD]]...

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
  -h, --help             this text

Example:
  kubeactor nats-config --user control-plane:s3cret --user nodes:n0des > kubeactor.conf
  nats-server -a 127.0.0.1 -p 4222 -c kubeactor.conf &
  kubeactor up --bus nats://127.0.0.1:4222 --nats-pass s3cret --nodes 0
  kubeactor node --bus nats://127.0.0.1:4222 --name worker --count 10 --nats-pass n0des`;

export async function natsConfig(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { prefix: { type: 'string' }, user: { type: 'string', multiple: true } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const specs = values.user?.length ? values.user : ['control-plane', 'nodes'];
  const users = specs.map((spec) => {
    const i = spec.indexOf(':');
    const identity = i < 0 ? spec : spec.slice(0, i);
    if (!isIdentity(identity)) throw new UsageError(`"${identity}" is not an identity (letters, digits, '-' and '_')`);
    return { identity, password: i < 0 ? randomBytes(12).toString('base64url') : spec.slice(i + 1) };
  });
  try {
    process.stdout.write(natsServerConfig({ prefix: values.prefix ?? 'kubeactor', users }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return 0;
}
