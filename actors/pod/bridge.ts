import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../base/clock.ts';
import type { ContainerExit, Runtime } from '../runtime/runtime.ts';
import { podHooks } from './hooks.ts';
import type { PodCtx, RuntimeBatch, RuntimeCommand, RuntimeEvent } from '../../machines/pod/index.ts';

/**
 * kubelet waits for a postStart hook without a bound (an exec hook's timeout is 0); here a
 * hook that hangs for this long fails, so a stuck hook cannot hold its pod forever.
 */
const POST_START_TIMEOUT_S = 600;

type Unstamped = RuntimeEvent extends infer E ? (E extends RuntimeEvent ? Omit<E, 'at'> : never) : never;

/** What the pod chart's `runCommands` action sees of its pod actor. */
interface PodSelf {
  send(event: RuntimeEvent): void;
  getSnapshot(): { status: string };
}

/** Where a pod actor's commands run: its node's Runtime, and the clock that stamps their results. */
export interface PodRuntime {
  runtime: Runtime;
  clock: Clock;
}

/**
 * The pod chart's `runCommands` effect: runs the chart's RuntimeCommands against the Runtime
 * `runtimeOf` gives for the actor and sends each result back to the pod stamped with `at` from
 * its clock. Results that arrive after the pod actor stopped are dropped. One implementation
 * serves every pod of every node: what a pod's commands share (its sandbox) is kept per actor.
 */
export function runCommands(runtimeOf: (self: PodSelf) => PodRuntime | undefined) {
  const runners = new WeakMap<PodSelf, (cmd: RuntimeCommand) => Promise<void>>();
  return ({ context, self }: { context: PodCtx; self: PodSelf }, batch: RuntimeBatch): void => {
    let run = runners.get(self);
    if (!run) {
      const r = runtimeOf(self);
      if (!r) return;
      const { runtime, clock } = r;
      runners.set(self, (run = podRunner(runtime, context, (e) => {
        if (self.getSnapshot().status === 'active') self.send({ ...e, at: clock.now() } as RuntimeEvent);
      })));
    }
    for (const cmd of batch.cmds) void run(cmd);
  };
}

/** One pod's command runner: `pod`, its IPs and hooks as they were at its first command. */
function podRunner(runtime: Runtime, ctx: Pick<PodCtx, 'pod' | 'podIP' | 'hostIP'>, send: (e: Unstamped) => void): (cmd: RuntimeCommand) => Promise<void> {
  const { pod, podIP, hostIP } = ctx;
  const hooks = podHooks(pod);
  let sandbox: Promise<string | null> | null = null;

  return async function run(cmd: RuntimeCommand): Promise<void> {
    switch (cmd.type) {
      case 'sandbox': {
        const config = { hostIP: hostIP, ...(podIP ? { ip: podIP } : {}) };
        const onExit = (x: ContainerExit): void =>
          send({ type: 'rt.exit', id: x.containerId, exitCode: x.exitCode, ...(x.message ? { message: x.message } : {}), ...(x.reason === 'OOMKilled' ? { oomKilled: true } : {}) });
        // The pod's volumes first (kubelet's WaitForAttachAndMount); a pod without hooks goes straight on.
        const ready = hooks?.beforeSandbox();
        const r = ready ? ready.then(() => runtime.runPodSandbox(pod, { onExit }, config)) : runtime.runPodSandbox(pod, { onExit }, config);
        sandbox = r.then((x) => (x.ok ? x.value.sandboxId : null));
        const res = await r;
        if (res.ok) send({ type: 'rt.sandbox', sandboxId: res.value.sandboxId, ...(res.value.ip ? { ip: res.value.ip } : {}) });
        else send({ type: 'rt.sandboxFailed', message: res.status.message });
        return;
      }
      case 'pull': {
        const spec = containerAt(pod, cmd.i);
        const image = spec.image ?? '';
        if (pullPolicy(spec) !== 'Always') {
          const have = await runtime.imageStatus(image);
          if (have.ok && have.value) return send({ type: 'rt.pulled', i: cmd.i, imageRef: have.value.imageRef });
          if (pullPolicy(spec) === 'Never') {
            return send({ type: 'rt.failed', i: cmd.i, step: 'pull', message: `Container image "${image}" is not present with pull policy of Never` });
          }
        }
        send({ type: 'rt.pulling', i: cmd.i });
        const r = await runtime.pullImage(image, pod);
        if (r.ok) send({ type: 'rt.pulled', i: cmd.i, imageRef: r.value.imageRef, durationMs: r.value.durationMs });
        else send({ type: 'rt.failed', i: cmd.i, step: 'pull', message: r.status.message });
        return;
      }
      case 'create': {
        const spec = containerAt(pod, cmd.i);
        const prepared = hooks ? await hooks.prepareContainer(spec) : null;
        if (prepared && !prepared.ok) return send({ type: 'rt.failed', i: cmd.i, step: 'config', message: prepared.message });
        const id = (await sandbox) ?? '';
        const r = prepared ? await runtime.createContainer(id, prepared.container, 0, { mounts: prepared.mounts }) : await runtime.createContainer(id, spec, 0);
        if (r.ok) send({ type: 'rt.created', i: cmd.i, id: r.value.containerId });
        else send({ type: 'rt.failed', i: cmd.i, step: 'create', message: r.status.message });
        return;
      }
      case 'start': {
        const r = await runtime.startContainer(cmd.id);
        if (r.ok) send({ type: 'rt.started', i: cmd.i, id: cmd.id });
        else send({ type: 'rt.failed', i: cmd.i, step: 'start', message: r.status.message });
        return;
      }
      case 'probe': {
        const spec = containerAt(pod, cmd.i);
        const probe = cmd.kind === 'startup' ? spec.startupProbe : cmd.kind === 'liveness' ? spec.livenessProbe : spec.readinessProbe;
        const r = await runtime.execProbe(cmd.id, probe ?? {}, cmd.kind);
        const ok = r.ok && r.value.result === 'success';
        const message = !r.ok ? r.status.message : r.value.result === 'failure' ? r.value.message : '';
        send({ type: 'rt.probe', i: cmd.i, id: cmd.id, kind: cmd.kind, ok, message });
        return;
      }
      case 'postStart': {
        const hook = containerAt(pod, cmd.i).lifecycle?.postStart ?? {};
        const r = await runtime.runHook(cmd.id, hook, 'postStart', POST_START_TIMEOUT_S);
        send({ type: 'rt.postStartDone', i: cmd.i, id: cmd.id, ...(r.ok ? {} : { error: r.status.message }) });
        return;
      }
      case 'preStop': {
        const hook = containerAt(pod, cmd.i).lifecycle?.preStop ?? {};
        const r = await runtime.runHook(cmd.id, hook, 'preStop', cmd.timeoutSeconds);
        send({ type: 'rt.preStopDone', i: cmd.i, id: cmd.id, ...(r.ok ? {} : { error: r.status.message }) });
        return;
      }
      case 'stop':
        // The exit itself arrives through the sandbox listener.
        await runtime.stopContainer(cmd.id, cmd.graceSeconds);
        return;
      case 'teardown': {
        const id = sandbox ? await sandbox : null;
        if (id) await runtime.stopPodSandbox(id);
        for (const c of cmd.ids) await runtime.removeContainer(c);
        if (id) await runtime.removePodSandbox(id);
        send({ type: 'rt.tornDown' });
        return;
      }
    }
  };
}

/** Init containers first, then containers: the chart's container index. */
export function containerAt(pod: Pod, i: number): Container {
  const inits = pod.spec?.initContainers ?? [];
  return (i < inits.length ? inits[i] : pod.spec?.containers?.[i - inits.length]) ?? { name: '' };
}

/** Kubernetes' default: Always for `:latest` or no tag, else IfNotPresent. */
function pullPolicy(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  const tag = image.includes('@') ? 'digest' : /:([^/:]+)$/.exec(image)?.[1];
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}
