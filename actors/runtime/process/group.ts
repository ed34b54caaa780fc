/**
 * Sandboxed processes as process groups. Each bwrap is started in its own process group
 * (its pgid is its pid) and ended by that pgid; the pgids alive are recorded as files in the
 * node's state directory, so a kubelet that was killed leaves a list its next start reaps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export interface GroupExit {
  /** The exit code as a container reports it: the code, or 128 + the signal's number. */
  exitCode: number;
  signal: NodeJS.Signals | null;
}

export interface ProcessGroup {
  readonly pgid: number;
  readonly child: ChildProcess;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** The process's stdin, when started with `{ stdin: true }` (else it reads /dev/null). */
  readonly stdin: Writable | null;
  /**
   * Resolves once, when bwrap exited and its output streams closed (its sandbox's PID
   * namespace is then gone too).
   */
  readonly exited: Promise<GroupExit>;
  /** Resolves true once the sandbox runs (bwrap reported its init), false if it ended first. */
  readonly started: Promise<boolean>;
  /** The host PID of the container's (or exec's) main process (the sandbox's PID 2, an nsenter's child), once known. */
  mainPid(): number | null;
  /** The host PID of the sandbox's init (its PID 1, whose namespaces an exec joins), once known. */
  initPid(): number | null;
  /**
   * Signals the whole group and every descendant of its leader (a command that made its own
   * session, as `script` does, is no longer in the group); a group already gone is ignored.
   */
  kill(signal: NodeJS.Signals): void;
}

/** Every group this process started that still runs: ended (SIGKILL) when this process exits, however it exits short of SIGKILL. */
const live = new Set<number>();
let exitHook = false;
function track(pgid: number): void {
  live.add(pgid);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const g of live) {
      try {
        process.kill(-g, 'SIGKILL');
      } catch { /* gone */ }
    }
  });
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

/**
 * Starts `file args` as the leader of a new process group, with fd 3 a pipe for bwrap's
 * --info-fd; with `opts.stdin`, its stdin is a pipe (an exec's or an attachable container's).
 */
export function spawnGroup(file: string, args: readonly string[], env: Record<string, string>, registry?: GroupRegistry, opts: { stdin?: boolean; infoFd?: boolean } = {}): ProcessGroup {
  // Without bwrap's --info-fd (an nsenter), no fd 3: the command would inherit it.
  const info3 = opts.infoFd === false ? [] : (['pipe'] as const);
  const child = spawn(file, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...info3], detached: true, env });
  // A process that ends without reading all its input: the write fails with EPIPE, which is no error of ours.
  child.stdin?.on('error', () => undefined);
  const pgid = child.pid ?? -1;
  let info = '';
  let initPid: number | null = null;
  let main: number | null = null;
  let markStarted: (ok: boolean) => void = () => undefined;
  const started = new Promise<boolean>((res) => (markStarted = res));
  const fd3 = child.stdio[3] as Readable | null;
  fd3?.setEncoding('utf8');
  fd3?.on('data', (d: string) => {
    info += d;
    const m = /"child-pid":\s*(\d+)/.exec(info);
    if (m && initPid === null) {
      initPid = Number(m[1]);
      markStarted(true);
    }
  });
  fd3?.on('error', () => undefined);
  if (pgid > 0) {
    registry?.add(pgid);
    track(pgid);
  }
  const exited = new Promise<GroupExit>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (pgid > 0) registry?.remove(pgid);
      live.delete(pgid);
      markStarted(false);
      resolve({ exitCode: code ?? 128 + (SIGNALS[signal ?? ''] ?? 0), signal });
    };
    // 'close', not 'exit': the last output is read by then.
    child.once('close', done);
    // A spawn that failed (ENOENT) emits 'error' and no 'exit'.
    child.once('error', () => done(127, null));
  });
  return {
    pgid,
    child,
    stdout: child.stdout!,
    stderr: child.stderr!,
    stdin: child.stdin,
    exited,
    started,
    mainPid() {
      if (main !== null) return main;
      // An nsenter forks the command into the namespaces: its child is the main process.
      const parent = initPid ?? (opts.infoFd === false ? pgid : null);
      if (parent === null) return null;
      try {
        const kids = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        main = kids.length > 0 ? Number(kids[0]) : null;
      } catch {
        main = null;
      }
      return main;
    },
    initPid: () => initPid,
    kill(signal) {
      if (pgid <= 0) return;
      const tree = descendants(pgid);
      try {
        process.kill(-pgid, signal);
      } catch { /* already gone */ }
      for (const pid of tree) {
        try {
          process.kill(pid, signal);
        } catch { /* gone */ }
      }
    },
  };
}

/** The PIDs below `pid` in the process tree, from /proc (read before signalling: the dead are reparented). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number): void => {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch { /* gone */ }
    for (const t of tasks) {
      let kids: string[] = [];
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      } catch { /* gone */ }
      for (const k of kids) {
        out.push(Number(k));
        walk(Number(k));
      }
    }
  };
  walk(pid);
  return out;
}

/** The kernel's start time of `pid` (field 22 of /proc/PID/stat), to tell a reused pid apart. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** The pgids that have at least one process, from /proc. */
function groupMembers(): Set<number> {
  const out = new Set<number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      out.add(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]));
    } catch { /* gone */ }
  }
  return out;
}

/** The pgids this node's runtime started and that still run, one file each under `dir`. */
export class GroupRegistry {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  add(pgid: number): void {
    const t = startTime(pgid);
    if (t !== null) writeFileSync(join(this.dir, String(pgid)), t, { mode: 0o600 });
  }

  remove(pgid: number): void {
    rmSync(join(this.dir, String(pgid)), { force: true });
  }

  /**
   * Ends (SIGKILL) every recorded group that still has members, and forgets them all: what a
   * killed kubelet left behind (bwrap's outer process dies with the kubelet, the sandbox's
   * init may not). A group whose leader runs with another start time is a new group that
   * reused the number: left alone. (While any member lives, the kernel does not hand its
   * pgid out as a new pid, so members of a leaderless group are ours.) Returns how many were ended.
   */
  reap(): number {
    let ended = 0;
    const members = groupMembers();
    for (const name of readdirSync(this.dir)) {
      const pgid = Number(name);
      const recorded = readFileSync(join(this.dir, name), 'utf8').trim();
      const leader = startTime(pgid);
      const ours = leader === null ? members.has(pgid) : leader === recorded;
      if (Number.isInteger(pgid) && pgid > 1 && ours) {
        try {
          process.kill(-pgid, 'SIGKILL');
          ended++;
        } catch { /* gone meanwhile */ }
      }
      rmSync(join(this.dir, name), { force: true });
    }
    return ended;
  }
}
