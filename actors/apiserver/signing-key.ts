/**
 * Where the ServiceAccount token signing key lives: in a file of the data directory that only
 * the apiserver's process reads (Kubernetes' --service-account-key-file and
 * --service-account-signing-key-file, kubeadm's pki/sa.key), or, without a data directory, in
 * process memory. Never in the kv store: the store is reached over the bus, and whoever could
 * read the key could mint a token for any ServiceAccount.
 *
 * Earlier versions kept the key in the kv at LEGACY_SIGNING_KEY_KEY. It is not migrated: it
 * was readable wherever the kv was (and was written unredacted into recordings), so it is
 * treated as compromised — a new key is made, the old one is deleted at boot, and tokens
 * signed with it stop working (`kubectl create token` makes new ones).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { KvBackend } from '../kv/backend.ts';
import type { Logger } from '../actor-def.ts';
import { loadOrCreatePrivateFile } from '../data-dir.ts';

/** Gives the apiserver its signing key; called once per token operation, so it caches. */
export type SigningKeySource = () => Promise<Buffer>;

export const LEGACY_SIGNING_KEY_KEY = '/registry/kubeactor.serviceaccount-signing-key';
const KEY_BYTES = 32;

/** The key file of a data directory: `<dataDir>/pki/sa.key`, as kubeadm names it. */
export const signingKeyPath = (dataDir: string): string => join(dataDir, 'pki', 'sa.key');

/** A key made on first use and kept in this process only (tokens end with the process). */
export function memorySigningKey(): SigningKeySource {
  let key: Promise<Buffer> | undefined;
  return () => (key ??= Promise.resolve(randomBytes(KEY_BYTES)));
}

/** The key in `path` (base64, mode 0600 in a 0700 directory), made there on first use. */
export function fileSigningKey(path: string): SigningKeySource {
  let key: Promise<Buffer> | undefined;
  return () => {
    if (!key) {
      key = loadOrCreate(path);
      key.catch(() => (key = undefined));
    }
    return key;
  };
}

async function loadOrCreate(path: string): Promise<Buffer> {
  const key = Buffer.from(await loadOrCreatePrivateFile(path, () => randomBytes(KEY_BYTES).toString('base64')), 'base64');
  if (key.length < KEY_BYTES) throw new Error(`the ServiceAccount signing key in ${path} is shorter than ${KEY_BYTES} bytes`);
  return key;
}

/**
 * Deletes the key earlier versions kept in a data directory's store, if it is still there.
 * Run on the backend before the apiserver starts — not over the bus, so a recording of a
 * boot is the same with or without it.
 */
export async function forgetLegacySigningKey(backend: KvBackend, log: Logger): Promise<void> {
  const got = await backend.get(LEGACY_SIGNING_KEY_KEY);
  if (!got.kv) return;
  const del = await backend.txn([{ op: 'delete', key: LEGACY_SIGNING_KEY_KEY, ifModRevision: got.kv.modRevision }]);
  if (del.succeeded) log.info('apiserver: deleted the ServiceAccount signing key earlier versions kept in the kv; tokens signed with it are no longer valid');
}
