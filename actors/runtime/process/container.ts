/**
 * One container instance of the process runtime: what it runs (the image's entrypoint and
 * cmd under Kubernetes' command/args), in which sandbox view (tmp, mounts, termination
 * log), with which environment; and its life once started.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ImageSpec } from '../images/catalogue.ts';
import type { BookEntry } from '../book.ts';
import type { ContainerExit, Mount } from '../runtime.ts';
import type { ProcessGroup } from './group.ts';
import type { ContainerLog } from './logs.ts';
import type { SandboxSpec } from './sandbox.ts';

/** containerd's default PATH for an image without one. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Kubernetes' default terminationMessagePath, and the 4096-byte cap kubelet reads of it. */
const DEFAULT_TERMINATION_PATH = '/dev/termination-log';
const TERMINATION_MAX_BYTES = 4096;

export interface ProcContainer extends BookEntry {
  sandboxId: string;
  spec: Container;
  attempt: number;
  image: ImageSpec;
  mounts: Mount[];
  /** This instance's own directory: its /tmp and termination log. */
  dir: string;
  log: ContainerLog;
  group?: ProcessGroup;
  /** The exec sessions running beside it: they end with it, as processes in its namespaces do. */
  execs?: Set<ProcessGroup>;
  cgroup?: string | null;
  /** Set when the runtime sent SIGKILL (grace ran out, sandbox stop, remove). */
  killed?: ContainerExit['signal'];
  killTimer?: unknown;
  waiters: Array<(code: number) => void>;
}

/** The command line: `command` replaces the entrypoint, `args` the image's cmd (Docker's rules, as Kubernetes documents them). */
export function argvOf(c: Container, image: ImageSpec): string[] {
  if (c.command?.length) return [...c.command, ...(c.args ?? [])];
  return [...image.entrypoint, ...(c.args ?? image.cmd)];
}

/** The environment: the image's, the pod's identity and IP, then the container's resolved env (last wins). */
export function envOf(pod: Pod, c: Container, image: ImageSpec, podIP: string): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOME: '/root', ...image.env, HOSTNAME: hostnameOf(pod) };
  if (podIP) env.POD_IP = podIP;
  if (c.tty) env.TERM = 'xterm';
  for (const e of c.env ?? []) if (e.value !== undefined || !e.valueFrom) env[e.name] = e.value ?? '';
  return env;
}

/** The pod's hostname: spec.hostname, else its name, cut to a DNS label's 63 characters. */
export function hostnameOf(pod: Pod): string {
  return (pod.spec?.hostname || pod.metadata?.name || 'pod').slice(0, 63);
}

/** The sandbox view of `c` running `argv` (also used for exec probes and hooks, which see what the container sees). */
export function viewOf(pod: Pod, c: ProcContainer, argv: string[], infoFd: boolean): SandboxSpec {
  const tmpDir = join(c.dir, 'tmp');
  mkdirSync(tmpDir, { recursive: true, mode: 0o1777 });
  const termination = join(c.dir, 'termination-log');
  return {
    hostname: hostnameOf(pod),
    tmpDir,
    binds: c.image.binds,
    mounts: c.mounts,
    terminationLog: { hostPath: termination, containerPath: c.spec.terminationMessagePath || DEFAULT_TERMINATION_PATH },
    ...(c.spec.workingDir ? { workingDir: c.spec.workingDir } : {}),
    argv,
    infoFd,
  };
}

/** Makes the instance's directory and its empty termination log (bwrap binds onto an existing file). */
export function prepareDir(c: ProcContainer): void {
  mkdirSync(join(c.dir, 'tmp'), { recursive: true, mode: 0o1777 });
  writeFileSync(join(c.dir, 'termination-log'), '', { mode: 0o666 });
}

/** What kubelet reports as the terminated state's message: the termination log, else (FallbackToLogsOnError, on failure) the log's tail. */
export function terminationMessage(c: ProcContainer, exitCode: number): string {
  let text = '';
  try {
    text = readFileSync(join(c.dir, 'termination-log')).subarray(0, TERMINATION_MAX_BYTES).toString('utf8');
  } catch { /* none written */ }
  if (!text && exitCode !== 0 && c.spec.terminationMessagePolicy === 'FallbackToLogsOnError') text = c.log.tailText();
  return text;
}
