import type { Container, LifecycleHandler, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Result } from '../../base/status.ts';

/**
 * The container runtime as the kubelet sees it: a CRI-shaped interface (RunPodSandbox,
 * PullImage, CreateContainer, StartContainer, StopContainer, ExecSync, …) reduced to what
 * the pod actor needs. Implementations: `sim` (no processes, everything on the clock) and,
 * later, `process` (real host processes). Every implementation runs the contract suite in
 * spec/actors/runtime/contract.ts.
 *
 * Contract, for every implementation:
 * - No method throws or rejects: failures resolve to `{ ok: false, status }` (a Kubernetes
 *   Status; NotFound for unknown ids).
 * - Time is read only from the Clock the runtime was built with.
 * - Every container that was started exits exactly once, and that exit is reported to the
 *   sandbox's `onExit` listener, whether the process ended by itself, was stopped or killed.
 *   The exit is reported before `stopContainer` resolves.
 * - A sandbox is one pod; container ids are unique for the runtime's lifetime (a restarted
 *   container gets a new id, as in CRI).
 */
export interface Runtime {
  /** Registry name: `sim`, `process`. */
  readonly name: string;
  /**
   * Whether containers see their volumes as files (`createContainer`'s mounts). The sim does
   * not: its pods get their volumes and env checked (events stay right), nothing is written.
   */
  readonly mountsVolumes: boolean;
  /**
   * Creates the pod's sandbox. `config` carries what the kubelet decided for it (the pod IP
   * from the node's range, CRI's network-plugin step). The answer's `ip` is set when the
   * runtime assigns the pod IP itself.
   */
  runPodSandbox(pod: Pod, listener: SandboxListener, config?: SandboxConfig): Promise<Result<SandboxInfo>>;
  /** Stops every container still running in the sandbox (kill, no grace) and the sandbox. */
  stopPodSandbox(sandboxId: string): Promise<Result<void>>;
  removePodSandbox(sandboxId: string): Promise<Result<void>>;
  /** Null when the image is not present on the node. */
  imageStatus(image: string): Promise<Result<ImageInfo | null>>;
  /** Pulls an image for `pod` (whose annotations may shape the pull). */
  pullImage(image: string, pod: Pod): Promise<Result<PullInfo>>;
  /**
   * `attempt` is the container's restart count, as in CRI's ContainerMetadata. The
   * container's `command`, `args` and `env[].value` arrive already expanded and resolved;
   * `config.mounts` are its volumes, as CRI's ContainerConfig.mounts.
   */
  createContainer(sandboxId: string, container: Container, attempt: number, config?: ContainerConfig): Promise<Result<{ containerId: string }>>;
  startContainer(containerId: string): Promise<Result<{ startedAt: number }>>;
  /**
   * SIGTERM, then SIGKILL once `graceSeconds` have passed (0: kill at once). Resolves with
   * the exit code once the container has exited; a container already exited resolves at once.
   */
  stopContainer(containerId: string, graceSeconds: number): Promise<Result<{ exitCode: number }>>;
  removeContainer(containerId: string): Promise<Result<void>>;
  containerStatus(containerId: string): Promise<Result<RuntimeContainerStatus>>;
  /**
   * Runs one probe attempt against a running container. Never exceeds the probe's
   * timeoutSeconds (default 1): a slower check resolves as a failure. `message` is the
   * text kubelet puts after `Liveness probe failed: `.
   */
  execProbe(containerId: string, probe: Probe, kind: ProbeKind): Promise<Result<ProbeOutcome>>;
  /** Runs a lifecycle hook (preStop, postStart) to completion or until `timeoutSeconds`. */
  runHook(containerId: string, hook: LifecycleHandler, kind: HookKind, timeoutSeconds: number): Promise<Result<void>>;
  /** The log lines a container instance wrote so far (newest last). */
  logs(target: LogTarget, opts?: LogOptions): Promise<Result<string[]>>;
  /** The lines so far, then each new line as it is written, until `close()` or the container exits. */
  followLogs(target: LogTarget, opts?: LogOptions): Result<LogFollow>;
  /**
   * Runs `command` in the container's namespaces, as CRI's Exec, wired to `io`. Resolves
   * with the command's exit code once it has ended and its output was written to `io`
   * (and `io.stdout` / `io.stderr` ended); `fail` only when the command could not start
   * (an unknown executable, a container that is not running).
   */
  exec(target: LogTarget, command: string[], io: StreamIO): Promise<Result<{ exitCode: number }>>;
  /**
   * Attaches `io` to the running container's own stdio, as CRI's Attach: `io.stdin` feeds the
   * container's stdin (its end closes that stdin only when the container has `stdinOnce`),
   * the container's output from now on goes to `io.stdout` / `io.stderr`. Resolves (and ends
   * `io.stdout` / `io.stderr`) when the container exits; `fail` when it is not running. `io.stdin`
   * is ignored when the container was not created with `stdin: true`, as kubelet does.
   */
  attach(target: LogTarget, io: StreamIO): Promise<Result<void>>;
  /**
   * Opens port forwarding into the pod's network namespace, as CRI's PortForward: refused
   * (`fail`) by a runtime whose pods have no network to forward to.
   */
  portForward(podUid: string): Promise<Result<PortForwarder>>;
  /**
   * The usage of a container's running instance now, as CRI's ContainerStats: cumulative CPU
   * and the memory working set, stamped with the runtime's clock. NotFound when it is not running.
   */
  containerStats(target: LogTarget): Promise<Result<ContainerUsage>>;
}

/** One container's usage sample (CRI's ContainerStats, the fields the resource metrics read). */
export interface ContainerUsage {
  /** CPU time since the container started, in core-nanoseconds (usageCoreNanoSeconds). */
  cpuCoreNanoSeconds: number;
  /** Working-set memory, bytes. */
  memoryWorkingSetBytes: number;
  /** Epoch ms on the runtime's clock. */
  timestamp: number;
}

/** Terminal size, as a resize message carries it (columns, rows). */
export interface TerminalSize {
  width: number;
  height: number;
}

/**
 * The streams of one exec or attach session, as Node streams so a spawned child process
 * pipes straight into them: `child.stdout.pipe(io.stdout)`, `io.stdin.pipe(child.stdin)`.
 * Writes to `stdout`/`stderr` apply back-pressure (the client's credit, see
 * bus/catalogue/streams.ts): a runtime that respects `write()` returning false never buffers
 * more than the streams' high-water marks.
 */
export interface StreamIO {
  /** Present when the client sends stdin; ends when the client closes it. */
  stdin?: Readable;
  stdout?: Writable;
  /** Absent with a tty (the terminal merges stderr into stdout). */
  stderr?: Writable;
  tty: boolean;
  /** Registers a listener for terminal size changes (tty only; the first comes at once from kubectl). */
  onResize(listener: (size: TerminalSize) => void): void;
}

/** One pod's port forwarding: each forwarded connection is one `forward` call. */
export interface PortForwarder {
  /** Joins `stream` to the pod's `port` until either side ends. */
  forward(port: number, stream: Duplex): Promise<Result<void>>;
}

export interface SandboxListener {
  /** Called once per container exit (see the contract above). */
  onExit(exit: ContainerExit): void;
}

/** What the kubelet hands RunPodSandbox beside the pod. */
export interface SandboxConfig {
  /** The pod IP allocated from the node's range (the node IP for hostNetwork pods). */
  ip?: string;
  /** The node's InternalIP. */
  hostIP?: string;
}

/**
 * One volume mount of a container, as CRI's Mount: the host directory or file the volume
 * manager prepared (subPath already resolved) bound at `containerPath`.
 */
export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

/** What the kubelet hands CreateContainer beside the container spec (CRI's ContainerConfig). */
export interface ContainerConfig {
  mounts?: Mount[];
}

export interface SandboxInfo {
  sandboxId: string;
  ip?: string;
}

export interface ImageInfo {
  /** The digest reference kubelet reports as `imageID`. */
  imageRef: string;
}

export interface PullInfo extends ImageInfo {
  durationMs: number;
  sizeBytes?: number;
}

export type ProbeKind = 'startup' | 'liveness' | 'readiness';
export type HookKind = 'preStop' | 'postStart';

export type ProbeOutcome = { result: 'success' } | { result: 'failure'; message: string };

export interface ContainerExit {
  containerId: string;
  /** Container name within the pod. */
  name: string;
  exitCode: number;
  /** Epoch ms on the runtime's clock. */
  finishedAt: number;
  /** Set when the runtime had to kill it (grace period ran out, or sandbox stop). */
  signal?: 'SIGKILL' | 'SIGTERM';
  /** The terminated state's message: the termination message file, or the log's tail (FallbackToLogsOnError). */
  message?: string;
  /** Set when the kernel's OOM killer ended it under its memory limit. */
  reason?: 'OOMKilled';
}

export interface RuntimeContainerStatus {
  containerId: string;
  name: string;
  state: 'created' | 'running' | 'exited';
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** As ContainerExit.message. */
  message?: string;
  imageRef: string;
}

/**
 * Logs, exec and attach are addressed like `kubectl logs` / `kubectl exec`: by pod and
 * container name (the container's current instance), not container id.
 */
export interface LogTarget {
  podUid: string;
  container: string;
}

export interface LogOptions {
  /** Only the last N lines. */
  tailLines?: number;
  /** Prefix each line with its RFC 3339 time and a space, as `kubectl logs --timestamps`. */
  timestamps?: boolean;
  /** The instance before the current one (after a restart), as `kubectl logs --previous`. */
  previous?: boolean;
}

export interface LogFollow extends AsyncIterable<string> {
  close(): void;
}
