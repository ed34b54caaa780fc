import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, LifecycleHandler, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../../base/clock.ts';
import { fail, notFound, ok, status, timeout, type Result } from '../../../base/status.ts';
import type { Logger } from '../../actor-def.ts';
import { imageCatalogue, parseReference, type ImageCatalogue } from '../images/catalogue.ts';
import type {
  ContainerConfig, ContainerExit, ImageInfo, LogFollow, LogOptions, LogTarget, ProbeOutcome, PullInfo, Runtime,
  RuntimeContainerStatus, SandboxConfig, SandboxInfo, SandboxListener,
} from '../runtime.ts';
import { imageRef } from '../sim.ts';
import { ContainerBook } from '../book.ts';
import { cgroupSupport, limitProcess, oomKilled, removeCgroup, type CgroupSupport } from './cgroup.ts';
import { grpcCheck, httpCheck, tcpCheck, type CheckResult } from './checks.ts';
import { argvOf, DEFAULT_PATH, envOf, prepareDir, terminationMessage, viewOf, type ProcContainer } from './container.ts';
import { GroupRegistry, spawnGroup, type ProcessGroup } from './group.ts';
import { groupUsage } from './usage.ts';
import { ContainerLog, DEFAULT_LOG_MAX_FILES, DEFAULT_LOG_MAX_SIZE, type LogLimits } from './logs.ts';
import { prepareConnectTable, withConnectShim } from './connect-shim.ts';
import { bwrapArgs, BWRAP_MISSING, findBwrap, findNsenter, nsenterArgs, resolveCommand } from './sandbox.ts';
import { attachTo, execIn, forwarderTo, notRunning, withPty } from './streams.ts';

export interface ProcessRuntimeOptions {
  clock: Clock;
  nodeName: string;
  /** The node's own directory under the data dir: pods' files and logs, the list of live process groups. */
  stateDir: string;
  images?: ImageCatalogue;
  /** The bwrap binary; default: found on the PATH. null: none (every sandbox fails, saying what to install). */
  bwrap?: string | null;
  log?: Logger;
  logLimits?: Partial<LogLimits>;
  /** Default: detected (cgroupSupport). */
  cgroups?: CgroupSupport;
  /** The node's connect table (kube-proxy writes it): containers' connects to ClusterIPs are translated (connect-shim.ts). */
  connectTable?: string;
}

/** The process runtime, with what the kubelet and the CLI need beyond the Runtime contract. */
export interface ProcessRuntime extends Runtime {
  readonly bwrap: string | null;
  readonly cgroups: CgroupSupport;
  /** Process groups a previous, killed incarnation left behind and this one ended at start. */
  readonly reaped: number;
  /** Ends every process this runtime started (SIGKILL) and waits for them. */
  shutdown(): Promise<void>;
}

interface ProcSandbox {
  pod: Pod;
  listener: SandboxListener;
  ip: string;
  dir: string;
  logDir: string;
  containers: Set<string>;
}

/**
 * The `process` runtime: every container is a real host process tree in a bubblewrap
 * sandbox (see sandbox.ts), started in its own process group and ended by it: SIGTERM to
 * the container's main process, SIGKILL to the whole group at the grace deadline. Probes
 * and hooks run for real (exec inside the container's namespaces; httpGet,
 * tcpSocket and grpc against the pod IP). Logs go to files under the node's state dir.
 * Images resolve through the local catalogue (images/catalogue.ts).
 */
export function processRuntime(o: ProcessRuntimeOptions): ProcessRuntime {
  const clock = o.clock;
  const bwrap = o.bwrap === undefined ? findBwrap() : o.bwrap;
  const nsenter = findNsenter();
  const images = o.images ?? imageCatalogue();
  const limits: LogLimits = { maxSize: o.logLimits?.maxSize ?? DEFAULT_LOG_MAX_SIZE, maxFiles: o.logLimits?.maxFiles ?? DEFAULT_LOG_MAX_FILES };
  const cgroups = o.cgroups ?? cgroupSupport(o.nodeName);
  if (o.connectTable) prepareConnectTable(o.connectTable);
  const registry = new GroupRegistry(join(o.stateDir, 'pgids'));
  const reaped = registry.reap();
  if (reaped > 0) o.log?.warn('ended processes a previous kubelet left behind', { groups: reaped });
  if (!cgroups.enforced) o.log?.warn(cgroups.reason);
  const sandboxes = new Map<string, ProcSandbox>();
  const book = new ContainerBook<ProcContainer>();
  const containers = book.byId;
  const pulled = new Map<string, string>();
  const newId = (): string => randomBytes(32).toString('hex');
  const missing = (kind: string, id: string) => fail<never>(notFound(kind, id));

  function finish(c: ProcContainer, exitCode: number): void {
    if (c.state === 'exited') return;
    if (c.killTimer !== undefined) clock.clearTimeout(c.killTimer);
    c.state = 'exited';
    c.exitCode = c.killed === 'SIGKILL' ? 137 : exitCode;
    c.finishedAt = clock.now();
    c.log.close();
    for (const g of c.execs ?? []) g.kill('SIGKILL');
    const message = terminationMessage(c, c.exitCode);
    if (message) c.message = message;
    const oom = oomKilled(c.cgroup ?? null);
    removeCgroup(c.cgroup ?? null);
    const e: ContainerExit = { containerId: c.id, name: c.name, exitCode: c.exitCode, finishedAt: c.finishedAt };
    if (c.killed) e.signal = c.killed;
    if (c.message) e.message = c.message;
    if (oom) e.reason = 'OOMKilled';
    sandboxes.get(c.sandboxId)?.listener.onExit(e);
    for (const w of c.waiters.splice(0)) w(c.exitCode);
  }

  /** Resolves with the exit code once `c` has exited. */
  const exitOf = (c: ProcContainer): Promise<number> =>
    c.state === 'exited' ? Promise.resolve(c.exitCode ?? 0) : new Promise((res) => c.waiters.push(res));

  function killNow(c: ProcContainer): Promise<number> {
    if (c.state === 'created') finish(c, 0);
    if (c.state === 'exited') return Promise.resolve(c.exitCode ?? 0);
    c.killed = 'SIGKILL';
    c.group?.kill('SIGKILL');
    return exitOf(c);
  }

  /**
   * Waits (up to 2 s) until `c`'s sandbox has forked its main process: bwrap reports its init
   * before it has set up the mounts, and an nsenter then would find an empty root.
   */
  async function settled(c: ProcContainer): Promise<void> {
    for (let i = 0; i < 200 && c.state === 'running' && c.group?.mainPid() === null; i++) await new Promise((res) => setTimeout(res, 10));
  }

  /**
   * Starts `argv` inside running container `c`, as CRI's Exec: in its namespaces (nsenter),
   * or, without nsenter or before its sandbox reported its init, in a new sandbox with its view.
   */
  function spawnIn(c: ProcContainer, bwrap: string, pod: Pod, argv: string[], env: Record<string, string>, stdin: boolean): ProcessGroup {
    const init = c.state === 'running' ? c.group?.initPid() : null;
    if (nsenter && init) return spawnGroup(nsenter, nsenterArgs(init, c.spec.workingDir, argv), env, registry, { stdin, infoFd: false });
    return spawnGroup(bwrap, bwrapArgs(viewOf(pod, c, argv, true)), env, registry, { stdin });
  }

  /** Runs `argv` once in `c` (exec probes and hooks); exit code and combined output, or null on timeout. */
  async function runIn(c: ProcContainer, argv: string[], timeoutMs: number): Promise<{ code: number; output: string } | null> {
    const sb = sandboxes.get(c.sandboxId);
    if (!bwrap || !sb) return { code: 126, output: BWRAP_MISSING };
    await settled(c);
    const g = spawnIn(c, bwrap, sb.pod, argv, envOf(sb.pod, c.spec, c.image, sb.ip), false);
    let output = '';
    g.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    g.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    let timedOut = false;
    const t = setTimeout(() => {
      timedOut = true;
      g.kill('SIGKILL');
    }, timeoutMs);
    const r = await g.exited;
    clearTimeout(t);
    return timedOut ? null : { code: r.exitCode, output };
  }

  const targetIP = (c: ProcContainer): string => sandboxes.get(c.sandboxId)?.ip || '127.0.0.1';

  async function check(c: ProcContainer, h: LifecycleHandler | Probe, timeoutMs: number): Promise<CheckResult> {
    if (h.exec) {
      const argv = h.exec.command ?? [];
      const r = await runIn(c, argv, timeoutMs);
      if (r === null) return { ok: false, message: `command ${JSON.stringify(argv.join(' '))} timed out` };
      return r.code === 0 ? { ok: true } : { ok: false, message: r.output.trimEnd() || `command ${JSON.stringify(argv.join(' '))} exited with ${r.code}` };
    }
    if (h.httpGet) return httpCheck(h.httpGet, targetIP(c), c.spec, timeoutMs);
    if ('tcpSocket' in h && h.tcpSocket) return tcpCheck(h.tcpSocket, targetIP(c), c.spec, timeoutMs);
    if ('grpc' in h && h.grpc) return grpcCheck(h.grpc, targetIP(c), timeoutMs);
    if ('sleep' in h && h.sleep) {
      await new Promise((res) => setTimeout(res, Math.min(h.sleep!.seconds * 1000, timeoutMs)));
      return { ok: true };
    }
    return { ok: false, message: 'missing probe handler' };
  }

  const logTarget = (t: LogTarget, previous?: boolean): ProcContainer | undefined => book.instance(t, previous);

  return {
    name: 'process',
    mountsVolumes: true,
    bwrap,
    cgroups,
    reaped,
    async exec(target, command, io) {
      const c = book.instance(target);
      const sb = c && sandboxes.get(c.sandboxId);
      if (!c || !sb || !bwrap) return notRunning(target.container);
      await settled(c);
      const spawn = (argv: string[], env: Record<string, string>) => spawnIn(c, bwrap, sb.pod, argv, env, true);
      return execIn(c, envOf(sb.pod, c.spec, c.image, sb.ip), command, io, spawn);
    },
    async attach(target, io) {
      const c = book.instance(target);
      if (!c) return notRunning(target.container);
      return attachTo(c, io, exitOf(c));
    },
    async portForward(podUid) {
      const sb = [...sandboxes.values()].find((s) => s.pod.metadata?.uid === podUid);
      if (!sb) return fail(notFound('pods', podUid));
      return ok(forwarderTo(sb.ip || '127.0.0.1', `${sb.pod.metadata?.namespace ?? 'default'}/${sb.pod.metadata?.name ?? ''}`));
    },
    async containerStats(target) {
      const c = book.instance(target);
      if (!c || c.state !== 'running' || !c.group || c.group.pgid <= 0) return notRunning(target.container);
      return ok({ ...groupUsage(c.group.pgid), timestamp: clock.now() });
    },
    async runPodSandbox(pod, listener, config: SandboxConfig = {}) {
      if (!bwrap) return fail<SandboxInfo>(status(500, 'InternalError', BWRAP_MISSING));
      const m = pod.metadata ?? {};
      const sandboxId = newId();
      const dir = join(o.stateDir, 'pods', m.uid ?? sandboxId);
      const logDir = join(o.stateDir, 'logs', `${m.namespace ?? 'default'}_${m.name ?? ''}_${m.uid ?? sandboxId}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      sandboxes.set(sandboxId, { pod, listener, ip: config.ip ?? '', dir, logDir, containers: new Set() });
      return ok<SandboxInfo>({ sandboxId });
    },
    async stopPodSandbox(id) {
      const sb = sandboxes.get(id);
      if (!sb) return missing('sandboxes', id);
      await Promise.all([...sb.containers].map((cid) => containers.get(cid)).filter((c) => c !== undefined).map(killNow));
      return ok(undefined);
    },
    async removePodSandbox(id) {
      const sb = sandboxes.get(id);
      if (!sb) return ok(undefined);
      await Promise.all([...sb.containers].map((cid) => containers.get(cid)).filter((c) => c !== undefined).map(killNow));
      for (const cid of sb.containers) containers.delete(cid);
      book.forgetPod(sb.pod.metadata?.uid ?? '');
      sandboxes.delete(id);
      rmSync(sb.dir, { recursive: true, force: true });
      rmSync(sb.logDir, { recursive: true, force: true });
      return ok(undefined);
    },
    async imageStatus(image) {
      const ref = pulled.get(image);
      return ok<ImageInfo | null>(ref ? { imageRef: ref } : null);
    },
    async pullImage(image) {
      const started = clock.now();
      if (!images.resolve(image)) {
        const full = parseReference(image).full;
        return fail<PullInfo>(status(404, 'NotFound',
          `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found ` +
          `(the process runtime has no registry: use a built-in image (${images.known.join(', ')}) or map this one with --images FILE)`));
      }
      const ref = imageRef(image);
      pulled.set(image, ref);
      return ok<PullInfo>({ imageRef: ref, durationMs: clock.now() - started });
    },
    async createContainer(sandboxId, spec: Container, attempt, config: ContainerConfig = {}) {
      const sb = sandboxes.get(sandboxId);
      if (!sb) return missing('sandboxes', sandboxId);
      const resolved = images.resolve(spec.image ?? '');
      const image = resolved && withConnectShim(resolved, o.connectTable);
      if (!image) return fail<{ containerId: string }>(status(404, 'NotFound', `image "${spec.image ?? ''}" not found: pull it first`));
      const id = newId();
      const c: ProcContainer = {
        id, sandboxId, name: spec.name, spec, attempt, image, imageRef: pulled.get(spec.image ?? '') ?? imageRef(spec.image ?? ''),
        mounts: config.mounts ?? [], dir: join(sb.dir, `${spec.name}-${attempt}-${id.slice(0, 8)}`),
        log: new ContainerLog(join(sb.logDir, spec.name), attempt, clock, limits), state: 'created', createdAt: clock.now(), waiters: [],
      };
      prepareDir(c);
      book.add(c, sb.pod.metadata?.uid ?? '', sb);
      return ok({ containerId: id });
    },
    async startContainer(id) {
      const c = containers.get(id);
      if (!c) return missing('containers', id);
      const sb = sandboxes.get(c.sandboxId);
      if (c.state !== 'created' || !sb) return fail<{ startedAt: number }>(status(409, 'Conflict', `container ${id} is ${c.state}, not created`));
      if (!bwrap) return fail<{ startedAt: number }>(status(500, 'InternalError', BWRAP_MISSING));
      const argv = argvOf(c.spec, c.image);
      const env = envOf(sb.pod, c.spec, c.image, sb.ip);
      const cmd = argv[0];
      const startError = (why: string) =>
        fail<{ startedAt: number }>(status(500, 'InternalError', `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${why}: unknown`));
      if (cmd === undefined) return startError('no command specified');
      if (!resolveCommand(cmd, env.PATH ?? DEFAULT_PATH, c.mounts, c.image.binds, c.spec.workingDir)) {
        return startError(cmd.includes('/') ? `exec: "${cmd}": stat ${cmd}: no such file or directory` : `exec: "${cmd}": executable file not found in $PATH`);
      }
      // A container with stdin keeps its stdin pipe open for `kubectl attach`; with a tty, it runs on a pty.
      const tty = c.spec.tty === true && resolveCommand('script', DEFAULT_PATH, [], []) !== null;
      const g = spawnGroup(bwrap, bwrapArgs(viewOf(sb.pod, c, tty ? withPty(argv) : argv, true)), env, registry, { stdin: c.spec.stdin === true });
      c.group = g;
      g.stdout.setEncoding('utf8').on('data', (d: string) => c.log.write('stdout', d));
      g.stderr.setEncoding('utf8').on('data', (d: string) => c.log.write('stderr', d));
      void g.exited.then((x) => finish(c, x.exitCode));
      c.state = 'running';
      c.startedAt = clock.now();
      if (await g.started) {
        const pids = [g.pgid, g.mainPid()].filter((p): p is number => p !== null);
        try {
          for (const pid of pids) c.cgroup = limitProcess(cgroups, id, pid, c.spec.resources);
        } catch (err) {
          o.log?.warn('could not apply limits', { container: c.name, error: (err as Error).message });
        }
      }
      return ok({ startedAt: c.startedAt });
    },
    stopContainer(id, graceSeconds) {
      const c = containers.get(id);
      if (!c) return Promise.resolve(missing('containers', id));
      if (c.state !== 'running') return killNow(c).then((exitCode) => ok({ exitCode }));
      const done = exitOf(c).then((exitCode) => ok({ exitCode }));
      if (graceSeconds <= 0) {
        void killNow(c);
        return done;
      }
      const main = c.group?.mainPid() ?? null;
      try {
        if (main !== null) process.kill(main, 'SIGTERM');
        else c.group?.kill('SIGTERM');
      } catch { /* already gone */ }
      if (c.killTimer === undefined) c.killTimer = clock.setTimeout(() => void killNow(c), graceSeconds * 1000);
      return done;
    },
    async removeContainer(id) {
      const c = containers.get(id);
      if (!c) return ok(undefined);
      await killNow(c);
      sandboxes.get(c.sandboxId)?.containers.delete(id);
      containers.delete(id);
      rmSync(c.dir, { recursive: true, force: true });
      return ok(undefined);
    },
    async containerStatus(id) {
      const c = containers.get(id);
      if (!c) return missing('containers', id);
      return ok<RuntimeContainerStatus>(book.status(c));
    },
    async execProbe(id, probe) {
      const c = containers.get(id);
      if (!c) return missing('containers', id);
      if (c.state !== 'running') return ok<ProbeOutcome>({ result: 'failure', message: 'container is not running' });
      const r = await check(c, probe, (probe.timeoutSeconds ?? 1) * 1000);
      return ok<ProbeOutcome>(r.ok ? { result: 'success' } : { result: 'failure', message: r.message });
    },
    async runHook(id, hook, kind, timeoutSeconds) {
      const c = containers.get(id);
      if (!c) return missing('containers', id);
      const r = await check(c, hook, timeoutSeconds * 1000);
      if (r.ok) return ok(undefined);
      return fail<void>(r.message.endsWith('timed out') ? timeout(`${kind} hook timed out after ${timeoutSeconds}s`) : status(500, 'InternalError', r.message));
    },
    async logs(target, opts: LogOptions = {}) {
      const c = logTarget(target, opts.previous);
      if (!c) return missing('containers', `${target.container}${opts.previous ? ' (previous)' : ''}`);
      return ok(c.log.read(opts));
    },
    followLogs(target, opts: LogOptions = {}) {
      const c = logTarget(target, opts.previous);
      if (!c) return missing('containers', target.container);
      return ok<LogFollow>(c.log.follow(opts));
    },
    async shutdown() {
      await Promise.all([...containers.values()].map(killNow));
    },
  };
}
