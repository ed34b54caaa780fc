/**
 * hostPath volumes: the type check of kubelet's hostPath plugin (checkTypeInternal, with
 * its messages) on the real filesystem, behind an allow-list of path prefixes.
 *
 * Decision (the allow-list): a kubelet flag, `--allowed-host-paths` (KubeletOptions
 * `allowedHostPaths`), lists the prefixes a hostPath may be under; by default it is EMPTY
 * and every hostPath is refused. Not even the data directory is allowed by default: it holds
 * the kv store (every Secret), the serving key and the admin token, and a real process pod
 * could read them. A path is compared after resolving symlinks, so a link under an allowed
 * prefix cannot point a pod elsewhere.
 */
import { mkdir, open, realpath, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

/** The refusal for a path outside every allowed prefix (shown in the FailedMount event). */
export function hostPathNotAllowed(path: string, allowed: readonly string[]): string {
  const list = allowed.length ? allowed.join(', ') : 'none';
  return `hostPath ${JSON.stringify(path)} is not under a prefix this kubelet allows (--allowed-host-paths: ${list})`;
}

const under = (path: string, prefix: string): boolean => {
  const p = resolve(prefix);
  return path === p || path.startsWith(p.endsWith(sep) ? p : p + sep);
};

/** The deepest existing ancestor of `path` with symlinks resolved, plus the rest as written. */
async function resolved(path: string): Promise<string> {
  const abs = resolve(path);
  const real = await realpath(abs).catch(() => null);
  if (real) return real;
  const parent = dirname(abs);
  return parent === abs ? abs : resolve(await resolved(parent), abs.slice(parent.length + 1));
}

/**
 * Prepares a hostPath volume: null when it may be mounted (a DirectoryOrCreate or
 * FileOrCreate path is made), else kubelet's error.
 */
export async function setUpHostPath(path: string, type: string | undefined, allowed: readonly string[]): Promise<string | null> {
  const real = await resolved(path);
  if (!allowed.some((p) => under(resolve(path), p) && under(real, p))) return hostPathNotAllowed(path, allowed);
  const st = await stat(path).catch(() => null);
  switch (type ?? '') {
    case 'DirectoryOrCreate':
      if (!st) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return null;
      }
      return st.isDirectory() ? null : `hostPath type check failed: ${path} is not a directory`;
    case 'Directory':
      return st?.isDirectory() ? null : `hostPath type check failed: ${path} is not a directory`;
    case 'FileOrCreate':
      if (!st) {
        await mkdir(dirname(path), { recursive: true, mode: 0o755 });
        await (await open(path, 'a', 0o644)).close();
        return null;
      }
      return st.isFile() ? null : `hostPath type check failed: ${path} is not a file`;
    case 'File':
      return st?.isFile() ? null : `hostPath type check failed: ${path} is not a file`;
    case 'Socket':
      return st?.isSocket() ? null : `hostPath type check failed: ${path} is not a socket file`;
    case 'CharDevice':
      return st?.isCharacterDevice() ? null : `hostPath type check failed: ${path} is not a character device`;
    case 'BlockDevice':
      return st?.isBlockDevice() ? null : `hostPath type check failed: ${path} is not a block device`;
    default:
      // "": no check, as Kubernetes (the runtime binds whatever is there).
      return null;
  }
}
