import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, UsageError } from './args.ts';

export const KUBECONFIGS_HELP = `kubeactor kubeconfigs — list the kubeconfig of every apiserver of a data directory

Usage: kubeactor kubeconfigs [--data-dir DIR]

Each \`kubeactor up --role apiserver\` writes DIR/kubeconfigs/apiserver-PORT (its HTTPS
front's address, the admin token, the CA) and removes it when it stops; this prints one
path per line, so a client can pick any apiserver:
  KUBECONFIG=$(kubeactor kubeconfigs --data-dir DIR | head -1) kubectl get nodes

Flags:
  --data-dir DIR   the data directory the apiservers share (default .kubeactor)
  -h, --help       this text`;

/** Where `up --role apiserver` writes the kubeconfig of its front on `port`. */
export const apiserverKubeconfigPath = (dataDir: string, port: string): string => join(dataDir, 'kubeconfigs', `apiserver-${port}`);

export async function kubeconfigs(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { 'data-dir': { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const dir = join(resolve(values['data-dir'] ?? '.kubeactor'), 'kubeconfigs');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('apiserver-')).sort() : [];
  for (const f of files) console.log(join(dir, f));
  return 0;
}
