/**
 * The data directory is private to its owner: it holds the kv store (every Secret), the
 * serving key, the admin token and the kubeconfig. Directories are created 0700 and files
 * 0600, whatever the umask.
 *
 * Decision (an existing, looser directory): warn with the chmod to run, change nothing.
 * etcd does the same for its data dir ("the permission is drwxr-xr-x. The recommended
 * permission is -rwx------"), kubectl and helm warn about a group-readable kubeconfig: the
 * modes of a directory the user made are the user's to change (it may be shared on
 * purpose), and refusing would break every cluster created before this check.
 */
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Bits that let anyone but the owner in. */
const SHARED_BITS = 0o077;

/**
 * Creates `dir` with mode 0700 if it is missing, and its missing parents too (a directory
 * this process makes is never open to others); an existing one is left as it is.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** One entry of a data directory that others may read or enter. */
export interface LooseEntry {
  /** Relative to the data directory ("." for itself). */
  path: string;
  mode: number;
}

/**
 * The kubelets' directory (`<data-dir>/kubelet`, kubelet's --root-dir per node): made 0700,
 * and what is inside keeps the modes pods ask for (a ConfigMap volume's defaultMode 0644,
 * an emptyDir's 0777), so the check below looks at the directory itself, not into it.
 */
export const KUBELET_DIR = 'kubelet';

/** The directories and files under `dir` (itself included) with group or other permission bits; [] when `dir` is missing. */
export function looseEntries(dir: string): LooseEntry[] {
  const out: LooseEntry[] = [];
  const visit = (path: string): void => {
    const st = lstatSync(path, { throwIfNoEntry: false });
    // Symlinks carry no permissions of their own (always 0777); what they point at is not ours.
    if (!st || st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    const rel = relative(dir, path) || '.';
    if (mode & SHARED_BITS) out.push({ path: rel, mode });
    if (st.isDirectory() && rel !== KUBELET_DIR) for (const name of readdirSync(path).sort()) visit(join(path, name));
  };
  visit(dir);
  return out;
}

/** The start-up warning for `looseEntries(dir)`, naming the chmod that fixes it; null when there is nothing to say. */
export function loosePermissionsWarning(dir: string, loose: readonly LooseEntry[]): string | null {
  if (loose.length === 0) return null;
  const shown = loose.slice(0, 3).map((e) => `${e.path === '.' ? 'the directory' : e.path} is ${e.mode.toString(8).padStart(4, '0')}`);
  const more = loose.length > shown.length ? ` and ${loose.length - shown.length} more` : '';
  return (
    `data directory ${dir} is open to other users (${shown.join(', ')}${more}); it holds every Secret, ` +
    `the serving key and the admin token. Recommended: directories 0700, files 0600: chmod -R go-rwx ${shellQuote(dir)}`
  );
}

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/**
 * The trimmed text of the private file `path`, made (0600, in a 0700 directory) with `make()`
 * when it is missing or empty — for the secrets a data directory keeps across restarts (the
 * admin token, the ServiceAccount signing key). Never replaces a file another process wrote
 * a moment ago: the first writer wins and the others read what it wrote.
 */
export async function loadOrCreatePrivateFile(path: string, make: () => string): Promise<string> {
  const existing = (await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  })).trim();
  if (existing) return existing;
  const text = make();
  ensurePrivateDir(dirname(path));
  try {
    await writeFile(path, text + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(path, 'utf8')).trim();
  }
  return text;
}
