/**
 * emptyDir volumes: a directory in the pod's volume tree, made 0777 as kubelet makes it,
 * and its disk usage for the sizeLimit check of the eviction manager.
 *
 * medium: Memory asks for a tmpfs mount, which needs CAP_SYS_ADMIN; an unprivileged
 * kubelet cannot mount one, so the volume falls back to a directory on disk (the caller says
 * so once in the log and with a pod event). sizeLimit is still enforced by measuring usage.
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The message a Memory emptyDir gets on a kubelet without mount privileges. */
export const MEMORY_MEDIUM_FALLBACK = 'emptyDir medium "Memory" needs a tmpfs mount, which this unprivileged kubelet cannot make: the volume is a directory on disk (its sizeLimit is still enforced)';

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
