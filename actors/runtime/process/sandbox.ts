/**
 * The bubblewrap command line of one sandboxed process: its own mount namespace (the host's
 * system directories read-only, a private /tmp, the volumes at their mountPaths), its own
 * PID namespace (ending its init ends the whole tree), IPC and UTS namespaces (the pod's
 * hostname). The network namespace is the host's: pods bind their loopback pod IP.
 */
import { accessSync, constants, existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Mount } from '../runtime.ts';

/** The message a node or pod gets when bubblewrap is missing. */
export const BWRAP_MISSING =
  'the process runtime needs bubblewrap (bwrap), which is not installed on this node: install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)';

/** The path of `bwrap` on the PATH (or `KUBEACTOR_BWRAP`), null when there is none. */
export function findBwrap(env: NodeJS.ProcessEnv = process.env): string | null {
  return findProgram('bwrap', env.KUBEACTOR_BWRAP, env);
}

/** The path of util-linux `nsenter` on the PATH, null when there is none (exec then starts a new sandbox). */
export function findNsenter(env: NodeJS.ProcessEnv = process.env): string | null {
  return findProgram('nsenter', undefined, env);
}

function findProgram(name: string, override: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const candidates = override !== undefined ? [override] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch { /* next */ }
  }
  return null;
}

/** Host directories every sandbox sees read-only (symlinks such as /bin → usr/bin are recreated). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];

export interface SandboxSpec {
  hostname: string;
  /** Host dir bound at /tmp (the container's own, so an exec probe sees the same /tmp). */
  tmpDir: string;
  /** Extra host paths bound read-only at the same place (an image's program). */
  binds: readonly string[];
  mounts: readonly Mount[];
  /** Host file bound at the container's terminationMessagePath, when set. */
  terminationLog?: { hostPath: string; containerPath: string };
  workingDir?: string;
  argv: readonly string[];
  /** Pass `--info-fd 3`: the sandbox's init PID is written to fd 3. */
  infoFd?: boolean;
}

/** bwrap's arguments (without the bwrap path itself). */
export function bwrapArgs(s: SandboxSpec): string[] {
  const a = ['--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', s.hostname];
  // Unprivileged bwrap (not setuid) needs a user namespace to make the others. Mapped to
  // uid 0 (as rootless runtimes do), bwrap makes no second, nested one for its devpts, so an
  // exec can join the namespace that owns the others (nsenterArgs).
  if (unprivileged()) a.push('--unshare-user', '--uid', '0', '--gid', '0');
  // A mount point missing under a read-only system dir (a ConfigMap at /etc/app) needs a
  // writable parent: that dir becomes a tmpfs holding binds of the host's entries.
  const targets = [...s.mounts.map((m) => m.containerPath), ...(s.terminationLog ? [s.terminationLog.containerPath] : [])]
    .filter((t) => !t.startsWith('/dev/') && !existsSync(t));
  for (const dir of SYSTEM_DIRS) {
    const st = lstatSync(dir, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) a.push('--symlink', readlinkSync(dir), dir);
    else if (st?.isDirectory()) a.push(...systemDir(dir, targets.filter((t) => t.startsWith(dir + '/'))));
  }
  a.push('--proc', '/proc', '--dev', '/dev', '--bind', s.tmpDir, '/tmp');
  for (const b of s.binds) if (!SYSTEM_DIRS.some((d) => b === d || b.startsWith(d + '/'))) a.push('--ro-bind', b, b);
  for (const m of s.mounts) a.push(m.readOnly ? '--ro-bind' : '--bind', m.hostPath, m.containerPath);
  if (s.terminationLog) a.push('--bind', s.terminationLog.hostPath, s.terminationLog.containerPath);
  a.splice(0, a.length, ...remountsLast(a));
  if (s.workingDir) a.push('--chdir', s.workingDir);
  if (s.infoFd) a.push('--info-fd', '3');
  a.push('--', ...s.argv);
  return a;
}

const unprivileged = (): boolean => process.getuid?.() !== 0;

/**
 * nsenter's arguments (without its path) that run `argv` inside the running sandbox whose
 * init has host PID `initPid`, as runc exec does: its user namespace (unprivileged only: a
 * privileged sandbox has none of its own), mount, PID, IPC and UTS namespaces, the user's
 * credentials kept, in `workingDir` (coreutils `env --chdir`: nsenter's --wd resolves the
 * directory outside the sandbox). nsenter forks into the PID namespace and waits, so the
 * command's exit is nsenter's; the command dies with the sandbox's init.
 */
export function nsenterArgs(initPid: number, workingDir: string | undefined, argv: readonly string[]): string[] {
  const user = unprivileged() ? ['--user', '--preserve-credentials'] : [];
  return ['--target', String(initPid), ...user, '--mount', '--pid', '--ipc', '--uts', '--', '/usr/bin/env', `--chdir=${workingDir || '/'}`, '--', ...argv];
}

/** `dir` read-only; when mount points below it are missing, a tmpfs of binds down to their nearest existing parent. */
function systemDir(dir: string, missing: readonly string[]): string[] {
  if (missing.length === 0) return ['--ro-bind', dir, dir];
  const a = ['--tmpfs', dir];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    const below = missing.filter((t) => t.startsWith(p + '/'));
    if (st.isSymbolicLink()) a.push('--symlink', readlinkSync(p), p);
    else if (st.isDirectory() && below.length > 0) a.push(...systemDir(p, below));
    else if (st.isDirectory() || st.isFile()) a.push('--ro-bind', p, p);
  }
  // The caller moves these after the mounts: bwrap makes the mount points in order.
  return [...a, '--remount-ro', dir];
}

/** Moves every `--remount-ro DIR` pair to the end of `a`. */
function remountsLast(a: string[]): string[] {
  const rest: string[] = [];
  const remounts: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--remount-ro') remounts.push('--remount-ro', a[++i]!);
    else rest.push(a[i]!);
  }
  return [...rest, ...remounts];
}

/**
 * Where `cmd` is found inside the sandbox, looked up on the host (the sandbox shows the
 * host's system directories at the same paths, and mounts at theirs); null when nowhere.
 */
export function resolveCommand(cmd: string, path: string, mounts: readonly Mount[], binds: readonly string[], workingDir = '/'): string | null {
  const hostPathOf = (p: string): string => {
    const m = [...mounts].sort((x, y) => y.containerPath.length - x.containerPath.length).find((m) => p === m.containerPath || p.startsWith(m.containerPath + '/'));
    return m ? m.hostPath + p.slice(m.containerPath.length) : p;
  };
  const visible = (p: string): boolean =>
    mounts.some((m) => p === m.containerPath || p.startsWith(m.containerPath + '/')) ||
    [...SYSTEM_DIRS, ...binds].some((d) => p.startsWith(d + '/'));
  const executable = (p: string): boolean => {
    try {
      accessSync(hostPathOf(p), constants.X_OK);
      return visible(p);
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return executable(cmd.startsWith('/') ? cmd : join(workingDir, cmd)) ? cmd : null;
  for (const dir of path.split(':').filter(Boolean)) if (executable(join(dir, cmd))) return join(dir, cmd);
  return null;
}
