import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadOrCreatePrivateFile } from '../../data-dir.ts';

/**
 * The admin bearer token of a data directory: read from `<dataDir>/pki/token`, or made
 * (32 random bytes, base64url) and stored there on first use, so a restarted cluster keeps
 * working with the kubeconfig it wrote before.
 */
export function loadOrCreateToken(dataDir: string): Promise<string> {
  return loadOrCreatePrivateFile(join(dataDir, 'pki', 'token'), () => randomBytes(32).toString('base64url'));
}
