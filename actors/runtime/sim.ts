import type { Container, LifecycleHandler, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../base/clock.ts';
import { badRequest, fail, internalError, notFound, ok, status, timeout, type Result } from '../../base/status.ts';
import type {
  ContainerExit, HookKind, ImageInfo, LogFollow, LogOptions, LogTarget, ProbeKind, ProbeOutcome,
  PullInfo, Runtime, RuntimeContainerStatus, SandboxInfo, SandboxListener,
} from './runtime.ts';
import { probeSucceeds, simConfig, type SimContainerConfig } from './sim-annotations.ts';
import { followLines, instanceLines, type LogInstance } from './sim-logs.ts';
import { SimStdio } from './sim-shell/container.ts';
import { isSimCommand, runProcess } from './sim-shell/shell.ts';
import { PassThrough, Writable } from 'node:stream';
import { finished } from './stream-io.ts';
import { ContainerBook, type BookEntry } from './book.ts';

interface Sandbox {
  pod: Pod;
  listener: SandboxListener;
  containers: Set<string>;
}

interface SimContainer extends LogInstance, BookEntry {
  sandboxId: string;
  cfg: SimContainerConfig;
  spec: Container;
  /** Files, environment and stdio: made on the first exec or attach (or at start with `stdin`). */
  stdio?: SimStdio;
  /** The pending self-exit, SIGTERM reaction or SIGKILL deadline. */
  timer?: () => void;
  killAt?: number;
  waiters: Array<(code: number) => void>;
}

/**
 * The `sim` runtime: runs no process (the KWOK idea). Containers are records whose
 * latencies, exits, probe results and logs follow the pod's `sim.kubeactor.io/` annotations
 * (see sim-annotations.ts), all timed on the injected clock, so a run is deterministic
 * given the clock. Ids are sequential; image digests are derived from the image name.
 */
export function simRuntime(clock: Clock): Runtime {
  const sandboxes = new Map<string, Sandbox>();
  const book = new ContainerBook<SimContainer>();
  const containers = book.byId;
  const images = new Set<string>();
  let seq = 0;

  const later = (ms: number, fn: () => void): (() => void) => {
    if (ms <= 0) {
      let live = true;
      queueMicrotask(() => live && fn());
      return () => { live = false; };
    }
    const t = clock.setTimeout(fn, ms);
    return () => clock.clearTimeout(t);
  };
  const wait = (ms: number): Promise<void> => new Promise((res) => later(ms, res));
  const missing = (kind: string, id: string) => fail<never>(notFound(kind, id));

  function exit(c: SimContainer, exitCode: number, signal?: ContainerExit['signal']): void {
    if (c.state === 'exited') return;
    c.timer?.();
    c.timer = undefined;
    c.state = 'exited';
    c.exitCode = exitCode;
    c.stdio?.stopMain();
    c.finishedAt = clock.now();
    const e: ContainerExit = { containerId: c.id, name: c.name, exitCode, finishedAt: c.finishedAt };
    if (signal) e.signal = signal;
    sandboxes.get(c.sandboxId)?.listener.onExit(e);
    for (const w of c.waiters.splice(0)) w(exitCode);
  }

  function kill(c: SimContainer, graceMs: number): void {
    const deadline = clock.now() + graceMs;
    if (c.killAt !== undefined && c.killAt <= deadline) return;
    c.timer?.();
    c.killAt = deadline;
    if (!c.cfg.ignoreSigterm && c.cfg.stopMs < graceMs) c.timer = later(c.cfg.stopMs, () => exit(c, c.cfg.termExitCode));
    else c.timer = later(graceMs, () => exit(c, 137, 'SIGKILL'));
  }

  const logTarget = (t: LogTarget, previous?: boolean): SimContainer | undefined => book.instance(t, previous);

  /** The running instance of a container, with its stdio, or kubelet's "container not found". */
  const running = (t: LogTarget): Result<SimContainer & { stdio: SimStdio }> => {
    const c = logTarget(t);
    if (!c || c.state !== 'running') return fail(status(404, 'NotFound', `container not found ("${t.container}")`));
    c.stdio ??= stdioOf(c);
    return ok(c as SimContainer & { stdio: SimStdio });
  };
  const stdioOf = (c: SimContainer): SimStdio =>
    new SimStdio(sandboxes.get(c.sandboxId)?.pod ?? {}, c.spec, () => clock.now(), wait);

  return {
    name: 'sim',
    mountsVolumes: false,
    async runPodSandbox(pod, listener) {
      await wait(simConfig(pod.metadata?.annotations, '').sandboxMs);
      const sandboxId = `sim-sandbox-${++seq}`;
      sandboxes.set(sandboxId, { pod, listener, containers: new Set() });
      return ok<SandboxInfo>({ sandboxId });
    },
    async stopPodSandbox(id) {
      const sb = sandboxes.get(id);
      if (!sb) return missing('sandboxes', id);
      for (const cid of sb.containers) {
        const c = containers.get(cid);
        if (c && c.state !== 'exited') exit(c, 137, 'SIGKILL');
      }
      return ok(undefined);
    },
    async removePodSandbox(id) {
      const sb = sandboxes.get(id);
      if (!sb) return ok(undefined); // idempotent, as CRI's RemovePodSandbox
      for (const cid of sb.containers) containers.delete(cid);
      sandboxes.delete(id);
      return ok(undefined);
    },
    async imageStatus(image) {
      return ok<ImageInfo | null>(images.has(image) ? { imageRef: imageRef(image) } : null);
    },
    async pullImage(image, pod) {
      const cfg = simConfig(pod.metadata?.annotations, containerOf(pod, image));
      await wait(cfg.pullMs);
      if (cfg.pullFail !== null) return fail<PullInfo>(status(500, 'InternalError', `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": ${cfg.pullFail}`));
      images.add(image);
      return ok<PullInfo>({ imageRef: imageRef(image), durationMs: cfg.pullMs });
    },
    async createContainer(sandboxId, spec: Container, _attempt) {
      const sb = sandboxes.get(sandboxId);
      if (!sb) return missing('sandboxes', sandboxId);
      const id = containerId(++seq);
      const c: SimContainer = {
        id, sandboxId, name: spec.name, spec, imageRef: imageRef(spec.image ?? ''), state: 'created',
        cfg: simConfig(sb.pod.metadata?.annotations, spec.name), createdAt: clock.now(), waiters: [],
      };
      book.add(c, sb.pod.metadata?.uid ?? '', sb);
      return ok({ containerId: id });
    },
    async startContainer(id) {
      const c = containers.get(id);
      if (!c) return missing('containers', id);
      await wait(c.cfg.startMs);
      if (c.state !== 'created') return fail<{ startedAt: number }>(status(409, 'Conflict', `container ${id} is ${c.state}, not created`));
      if (c.cfg.startFail) return fail<{ startedAt: number }>(status(500, 'InternalError', c.cfg.startFail));
      c.state = 'running';
      c.startedAt = clock.now();
      const after = c.cfg.exitAfterMs;
      if (after !== null) c.timer = later(after, () => exit(c, c.cfg.exitCode));
      // A container with stdin runs its command in the sim shell, fed by `kubectl attach`.
      if (c.spec.stdin) {
        c.stdio ??= stdioOf(c);
        void c.stdio.runMain().then((code) => exit(c, code));
      }
      return ok({ startedAt: c.startedAt });
    },
    stopContainer(id, graceSeconds) {
      const c = containers.get(id);
      if (!c) return Promise.resolve(missing('containers', id));
      if (c.state !== 'running') {
        if (c.state === 'created') exit(c, 0);
        return Promise.resolve(ok({ exitCode: c.exitCode ?? 0 }));
      }
      const done = new Promise<Result<{ exitCode: number }>>((res) => c.waiters.push((exitCode) => res(ok({ exitCode }))));
      kill(c, Math.max(0, graceSeconds) * 1000);
      return done;
    },
    async removeContainer(id) {
      const c = containers.get(id);
      if (c && c.state === 'running') exit(c, 137, 'SIGKILL');
      if (c) sandboxes.get(c.sandboxId)?.containers.delete(id);
      containers.delete(id);
      return ok(undefined);
    },
    async containerStatus(id) {
      const c = containers.get(id);
      if (!c) return missing('containers', id);
      return ok<RuntimeContainerStatus>(book.status(c));
    },
    async execProbe(id, probe: Probe, kind: ProbeKind) {
      const c = containers.get(id);
      if (!c) return missing('containers', id);
      const askedAt = clock.now();
      const limitMs = (probe.timeoutSeconds ?? 1) * 1000;
      await wait(Math.min(c.cfg.probeMs, limitMs));
      if (c.cfg.probeMs >= limitMs) return ok<ProbeOutcome>({ result: 'failure', message: `probe timed out after ${limitMs / 1000}s` });
      if (c.state !== 'running' || c.startedAt === undefined) return ok<ProbeOutcome>({ result: 'failure', message: 'container is not running' });
      return ok<ProbeOutcome>(probeSucceeds(c.cfg.probes[kind], askedAt - c.startedAt)
        ? { result: 'success' }
        : { result: 'failure', message: probe.httpGet ? 'HTTP probe failed with statuscode: 503' : `simulated ${kind} probe failure` });
    },
    async runHook(id, _hook: LifecycleHandler, kind: HookKind, timeoutSeconds) {
      const c = containers.get(id);
      if (!c) return missing('containers', id);
      const runMs = kind === 'preStop' ? c.cfg.preStopMs : c.cfg.postStartMs;
      await wait(Math.min(runMs, timeoutSeconds * 1000));
      if (runMs > timeoutSeconds * 1000) return fail<void>(timeout(`${kind} hook timed out after ${timeoutSeconds}s`));
      return kind === 'postStart' && c.cfg.postStartFail ? fail<void>(status(500, 'InternalError', c.cfg.postStartFail)) : ok(undefined);
    },
    async logs(target, opts: LogOptions = {}) {
      const c = logTarget(target, opts.previous);
      if (!c) return missing('containers', `${target.container}${opts.previous ? ' (previous)' : ''}`);
      return ok(instanceLines(c, clock.now(), opts));
    },
    followLogs(target, opts: LogOptions = {}) {
      const c = logTarget(target, opts.previous);
      if (!c) return missing('containers', target.container);
      return ok<LogFollow>(followLines(c, clock, opts));
    },
    async exec(target, command, io) {
      const got = running(target);
      if (!got.ok) return got;
      const c = got.value;
      if (!isSimCommand(command[0] ?? '')) {
        return fail(internalError(`error executing command in container: failed to exec in container: failed to start exec "${c.id}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0] ?? ''}": executable file not found in $PATH: unknown`));
      }
      io.onResize((s) => c.stdio.resize(s));
      const stdout = io.stdout ?? sink();
      const stderr = io.stderr ?? (io.tty ? stdout : sink());
      // A client that goes away destroys the streams: the command is abandoned (killed, as far as anyone can tell).
      const abandoned = new Promise<number>((res) => {
        for (const w of [io.stdout, io.stderr]) w?.once('close', () => !w.writableFinished && res(137));
      });
      const run = runProcess(command, c.stdio.process({ stdin: io.stdin ?? new PassThrough().end(), tty: io.tty, stdout, stderr }));
      const exitCode = await Promise.race([run, abandoned]);
      await Promise.all([io.stdout, io.stderr].map((w) => (w ? finished(w) : undefined)));
      return ok({ exitCode });
    },
    async attach(target, io) {
      const got = running(target);
      if (!got.ok) return got;
      await got.value.stdio.attach(io);
      return ok(undefined);
    },
    async portForward(podUid) {
      const pod = [...sandboxes.values()].find((sb) => sb.pod.metadata?.uid === podUid)?.pod;
      const name = pod ? `${pod.metadata?.namespace}/${pod.metadata?.name}` : podUid;
      return fail(badRequest(`pod ${name} runs on the sim runtime, which runs no processes: there is no port to forward to (port-forward needs a pod run by the process runtime)`));
    },
    async containerStats(target) {
      const c = logTarget(target);
      if (!c || c.state !== 'running' || c.startedAt === undefined) return fail(status(404, 'NotFound', `container not found ("${target.container}")`));
      // The annotated cores, burnt every virtual ms since the start: nanocores × ms / 1000 = core-ns.
      const now = clock.now();
      return ok({ cpuCoreNanoSeconds: Math.round((c.cfg.cpuNanoCores * (now - c.startedAt)) / 1000), memoryWorkingSetBytes: c.cfg.memoryBytes, timestamp: now });
    },
  };
}

const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

/** The first container (or init container) of `pod` using `image`, for per-container keys. */
function containerOf(pod: Pod, image: string): string {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all.find((c) => c.image === image)?.name ?? '';
}

/**
 * `n` in hex, zero-padded to 64 characters like a CRI container id, made from its character
 * codes in one call so it is one flat string: padStart made a rope over a padding string
 * and the digits, about 200 bytes more per container, kept by the runtime, the pod chart and
 * every status that names it.
 */
function containerId(n: number): string {
  const hex = n.toString(16);
  const codes = new Array<number>(64).fill(48);
  for (let i = 0; i < hex.length; i++) codes[64 - hex.length + i] = hex.charCodeAt(i);
  return String.fromCharCode(...codes);
}

/** Image references by image name: each pod's containers share its one string instead of building their own. */
const imageRefs = new Map<string, string>();

/** A stable fake digest reference for an image name (FNV-1a, widened to 64 hex digits). */
export function imageRef(image: string): string {
  let ref = imageRefs.get(image);
  if (ref === undefined) imageRefs.set(image, (ref = digestRef(image)));
  return ref;
}

function digestRef(image: string): string {
  let h = 0x811c9dc5;
  let hex = '';
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < image.length; i++) h = Math.imul(h ^ image.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    hex += h.toString(16).padStart(8, '0');
  }
  return `${image.split('@')[0]}@sha256:${hex}`;
}
