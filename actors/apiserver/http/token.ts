import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The admin bearer token of a data directory: read from `<dataDir>/pki/token`, or made
 * (32 random bytes, base64url) and stored there on first use, so a restarted cluster keeps
 * working with the kubeconfig it wrote before.
 */
export async function loadOrCreateToken(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'pki');
  const file = join(dir, 'token');
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return token;
  } catch {
    // No token yet: make one below.
  }
  const token = randomBytes(32).toString('base64url');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, token + '\n', { mode: 0o600 });
  return token;
}
