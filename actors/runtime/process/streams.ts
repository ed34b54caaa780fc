/**
 * kubectl exec, attach and port-forward into process pods, as CRI's Exec, Attach and
 * PortForward: an exec runs inside the running container's namespaces (its mounts and
 * /tmp, its processes, its hostname) with its env and workingDir, in its own process group,
 * ended with the container or its stream; a tty is a pty made by util-linux `script`, resized with `stty`; attach tees
 * the container's own stdio; port-forward connects to the pod IP.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import { fail, internalError, ok, status, type Result } from '../../../base/status.ts';
import type { PortForwarder, StreamIO, TerminalSize } from '../runtime.ts';
import { finished } from '../stream-io.ts';
import { DEFAULT_PATH, type ProcContainer } from './container.ts';
import type { ProcessGroup } from './group.ts';
import { resolveCommand } from './sandbox.ts';

/** How one exec's process is started: `argv` inside the container (nsenter into its namespaces). */
export type ExecSpawner = (argv: string[], env: Record<string, string>) => ProcessGroup;

/** kubelet's answer for a container that does not run (any more). */
export const notRunning = (name: string) => fail<never>(status(404, 'NotFound', `container not found ("${name}")`));

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * `argv` under util-linux `script`, which gives it a pty (stdin, stdout and stderr) and exits
 * with its exit code; of `size` when known at start.
 */
export function withPty(argv: readonly string[], size?: TerminalSize): string[] {
  const line = argv.map(quote).join(' ');
  const sized = size ? `stty cols ${size.width} rows ${size.height} 2>/dev/null; exec ${line}` : line;
  return ['script', '-q', '-e', '-f', '-c', sized, '/dev/null'];
}

/**
 * kubectl sends the terminal's size first thing: waiting this long for it lets the command
 * start at its size. Generous because over NATS on a loaded machine the size can take a few
 * hundred ms; a client that sends no size (kubectl always does on a terminal) waits it once.
 */
const FIRST_SIZE_MS = 1500;

/**
 * Sets the terminal size of the pty `script` made in group `g`: its child's stdin is the
 * pty, `stty -F` on it from the host sets the size and the kernel sends SIGWINCH. The child
 * may not exist yet when kubectl's first size arrives: tried again for a few seconds.
 */
export function resizePty(g: ProcessGroup, size: TerminalSize, tries = 60): void {
  const script = g.mainPid();
  let child: string | undefined;
  try {
    if (script !== null) child = readFileSync(`/proc/${script}/task/${script}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)[0];
  } catch { /* gone or not yet */ }
  if (child === undefined) {
    if (tries > 0 && g.child.exitCode === null) setTimeout(() => resizePty(g, size, tries - 1), 50).unref();
    return;
  }
  execFile('stty', ['-F', `/proc/${child}/fd/0`, 'cols', String(size.width), 'rows', String(size.height)], () => undefined);
}

/** Runs `command` for `io` next to running container `c` (see Runtime.exec). */
export async function execIn(c: ProcContainer, env: Record<string, string>, command: string[], io: StreamIO, spawn: ExecSpawner): Promise<Result<{ exitCode: number }>> {
  if (c.state !== 'running' || !c.group) return notRunning(c.name);
  const cmd = command[0] ?? '';
  if (!resolveCommand(cmd, env.PATH ?? DEFAULT_PATH, c.mounts, c.image.binds, c.spec.workingDir)) {
    const why = cmd.includes('/') ? `exec: "${cmd}": stat ${cmd}: no such file or directory` : `exec: "${cmd}": executable file not found in $PATH`;
    return fail(internalError(`error executing command in container: failed to exec in container: failed to start exec "${c.id}": OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`));
  }
  const tty = io.tty && resolveCommand('script', DEFAULT_PATH, [], []) !== null;
  let g: ProcessGroup | undefined;
  let first: TerminalSize | undefined;
  const sized = new Promise<void>((res) => {
    if (!tty) return res();
    io.onResize((s) => {
      if (g) return resizePty(g, s);
      first = s;
      res();
    });
    setTimeout(res, FIRST_SIZE_MS).unref();
  });
  await sized;
  g = spawn(tty ? withPty(command, first) : command, tty ? { TERM: 'xterm', ...env } : env);
  (c.execs ??= new Set()).add(g);
  wireInput(io.stdin, g.stdin, true);
  const stdout = io.stdout;
  const stderr = io.stderr ?? (tty ? stdout : undefined);
  if (stdout) g.stdout.pipe(stdout);
  else g.stdout.resume();
  if (stderr && stderr !== stdout) g.stderr.pipe(stderr);
  else if (stderr) g.stderr.on('data', (d: Buffer) => stderr.write(d));
  else g.stderr.resume();
  // The client went away (its streams destroyed before they finished): the command is ended.
  for (const w of [io.stdout, io.stderr]) w?.once('close', () => !w.writableFinished && g?.kill('SIGKILL'));
  const { exitCode } = await g.exited;
  c.execs.delete(g);
  await Promise.all([io.stdout, io.stderr].map((w) => (w ? finished(w) : undefined)));
  return ok({ exitCode });
}

/** Feeds `from` into the process's stdin; its end ends that stdin only when `endWithIt`. No stdin from the client: an exec's stdin is closed at once. */
function wireInput(from: Readable | undefined, to: Writable | null, endWithIt: boolean): void {
  if (!to) return;
  if (!from) {
    if (endWithIt) to.end();
    return;
  }
  from.pipe(to, { end: endWithIt });
  to.once('close', () => from.unpipe(to));
}

/**
 * Attaches `io` to running container `c` (see Runtime.attach): its stdin (when the
 * container has one) and its output from now on, until it exits or the client goes away.
 * A slow client holds the container's output back (as a container blocks on a full pipe).
 */
export async function attachTo(c: ProcContainer, io: StreamIO, exited: Promise<number>): Promise<Result<void>> {
  const g = c.group;
  if (c.state !== 'running' || !g) return notRunning(c.name);
  if (c.spec.stdin && g.stdin && !g.stdin.writableEnded) wireInput(io.stdin, g.stdin, c.spec.stdinOnce === true);
  if (c.spec.tty) io.onResize((s) => resizePty(g, s));
  const taps: Array<() => void> = [];
  const tee = (from: Readable, to: Writable | undefined): void => {
    if (!to) return;
    const onData = (d: string | Buffer): void => {
      if (!to.writable) return;
      if (!to.write(d)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    };
    from.on('data', onData);
    taps.push(() => from.off('data', onData));
  };
  tee(g.stdout, io.stdout);
  tee(g.stderr, io.stderr ?? (c.spec.tty ? io.stdout : undefined));
  const gone = new Promise<void>((res) => {
    for (const w of [io.stdout, io.stderr]) w?.once('close', () => res());
  });
  await Promise.race([exited, gone]);
  for (const untap of taps) untap();
  if (g.stdout.isPaused()) g.stdout.resume();
  if (g.stderr.isPaused()) g.stderr.resume();
  if (io.stdin && g.stdin) io.stdin.unpipe(g.stdin);
  await Promise.all([io.stdout, io.stderr].map((w) => (w ? finished(w) : undefined)));
  return ok(undefined);
}

/** Port forwarding into a pod whose processes bind `ip` (see Runtime.portForward). */
export function forwarderTo(ip: string, podName: string): PortForwarder {
  return {
    forward(port, stream: Duplex) {
      return new Promise((resolve) => {
        const sock = connect({ host: ip, port });
        let connected = false;
        sock.once('connect', () => {
          connected = true;
          stream.pipe(sock);
          sock.pipe(stream);
        });
        sock.once('error', (err: NodeJS.ErrnoException) => {
          if (connected) return;
          const dial = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
          resolve(fail(internalError(`failed to execute portforward in network namespace of pod ${podName}: failed to connect to ${ip}:${port} inside namespace, IPv4: dial tcp4 ${ip}:${port}: ${dial}`)));
        });
        sock.once('close', () => {
          stream.destroyed || stream.end();
          resolve(ok(undefined));
        });
        stream.once('close', () => sock.destroy());
        stream.once('error', () => sock.destroy());
      });
    },
  };
}
