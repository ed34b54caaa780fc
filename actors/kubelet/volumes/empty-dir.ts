/**
 * emptyDir volumes: a directory in the pod's volume tree, made 0777 as kubelet makes it,
 * and its disk usage for the sizeLimit check of the eviction manager.
 *
 * medium: Memory asks for a tmpfs mount, which needs CAP_SYS_ADMIN that an unprivileged
 * kubelet lacks. The host already has a tmpfs everyone may write: /dev/shm. A Memory volume
 * is a directory there (`/dev/shm/kubeactor-pods/<pod uid>/<volume>`), so its files live in
 * memory as with kubelet's tmpfs; where /dev/shm is not a writable tmpfs, it falls back to a
 * directory on disk (the caller says so once in the log and with a pod event). sizeLimit is
 * enforced by measuring usage either way (kubelet sizes the tmpfs instead).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The message a Memory emptyDir gets where there is no tmpfs to put it on. */
export const MEMORY_MEDIUM_FALLBACK = 'emptyDir medium "Memory" needs a tmpfs, and /dev/shm is not a writable tmpfs here: the volume is a directory on disk (its sizeLimit is still enforced)';

const SHM = '/dev/shm';

/** Where Memory emptyDirs live (`<tmpfs>/kubeactor-pods`), or null when the host has no writable tmpfs at /dev/shm. */
export function memoryVolumesRoot(): string | null {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '));
    if (!mounts.some((m) => m[1] === SHM && m[2] === 'tmpfs')) return null;
    accessSync(SHM, constants.W_OK);
    return join(SHM, 'kubeactor-pods');
  } catch {
    return null;
  }
}

export async function setUpEmptyDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777);
}

/** Bytes `dir` occupies on disk (du: allocated blocks), symlinks not followed. */
export async function diskUsage(dir: string): Promise<number> {
  const st = await lstat(dir).catch(() => null);
  if (!st) return 0;
  let total = st.blocks * 512;
  if (!st.isDirectory()) return total;
  for (const name of await readdir(dir).catch(() => [] as string[])) total += await diskUsage(join(dir, name));
  return total;
}
