import { resolve } from 'node:path';
import { CONTROL_PLANE } from '../bus/identities.ts';
import { startControlPlane, type StorageKind } from '../actors/cluster.ts';
import { parse, UsageError } from './args.ts';
import { BUS_FLAGS_HELP, busFlagOptions, openBus } from './bus-flags.ts';
import { untilSignal } from './signals.ts';

export const UP_HELP = `kubeactor up — run a Kubernetes control plane

Usage: kubeactor up [flags]

Flags:
  --data-dir DIR                  where the store and the kubeconfig live (default .kubeactor)
  --storage lmdb|memory           the kv actor's backend (default lmdb: durable, in DIR/kv)
  --seed N                        seed of every actor's ids and randomness (default 1)
${BUS_FLAGS_HELP}
  -h, --help                      this text

Stops gracefully on Ctrl-C (SIGINT) or SIGTERM.`;

const options = {
  ...busFlagOptions,
  'data-dir': { type: 'string' },
  storage: { type: 'string' },
  seed: { type: 'string' },
} as const;

export async function up(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, options);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const storage = (values.storage ?? 'lmdb') as StorageKind;
  if (storage !== 'lmdb' && storage !== 'memory') throw new UsageError(`--storage must be lmdb or memory, got "${storage}"`);
  const dataDir = resolve(values['data-dir'] ?? '.kubeactor');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);

  // Listen before starting anything: a signal during start-up must also stop gracefully.
  const stopSignal = untilSignal();
  const { bus, describe } = await openBus(values, CONTROL_PLANE);
  say(`bus: ${describe}`);
  const cp = await startControlPlane({ bus, storage, dataDir, seed });
  say(`kv: ${storage === 'lmdb' ? `lmdb at ${dataDir}/kv` : 'in memory (nothing survives a restart)'} (revision ${cp.backend.revision()})`);
  say('apiserver: serving on the bus (namespaces default, kube-system, kube-public, kube-node-lease)');
  say('ready. Ctrl-C stops.');

  const signal = await stopSignal;
  say(`${signal}: stopping`);
  await cp.stop();
  say('stopped');
  return 0;
}

function say(line: string): void {
  console.log(`kubeactor: ${line}`);
}
