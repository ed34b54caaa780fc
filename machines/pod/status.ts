import type { ContainerState, ContainerStatus, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { inits, mains, specOf, type PodCtx, type PodPhase } from './context.ts';
import { rfc3339 } from '../../api/time.ts';
import type { CondName, Ctr, Term } from './types.ts';

/**
 * The pod status as kubelet reports it (generateAPIPodStatus): phase from container states
 * and restartPolicy (getPhase), the four kubelet conditions with lastTransitionTime moving
 * only on a flip, and one ContainerStatus per container.
 */
export function settle(d: PodCtx): void {
  const phase = phaseOf(d);
  if (phase !== d.phase) {
    d.phase = phase;
    d.dirty = true;
  }
  const initialized = d.stage !== 'sandbox' && d.stage !== 'init' && inits(d).every((c) => c.term?.exitCode === 0);
  const ready = phase === 'Running' && d.stage !== 'terminating' && mains(d).every((c) => c.ready);
  flip(d, 'PodReadyToStartContainers', d.sandboxId !== '' && d.stage !== 'gone');
  flip(d, 'Initialized', initialized || (d.stage === 'done' && d.nInit === 0));
  flip(d, 'ContainersReady', ready);
  flip(d, 'Ready', ready);
}

function flip(d: PodCtx, name: CondName, on: boolean): void {
  if (d.conds[name].on === on) return;
  // Conditions that flip in one step share one record (Ready and ContainersReady nearly always
  // do): records are replaced, never written, and a pod holds them while it lives.
  d.conds[name] = Object.values(d.conds).find((c) => c.on === on && c.at === d.now) ?? { on, at: d.now };
  d.dirty = true;
}

function phaseOf(d: PodCtx): PodPhase {
  if (d.evicted) return 'Failed';
  const policy = d.pod.spec?.restartPolicy ?? 'Always';
  if (d.nInit > 0 && inits(d).some((c) => c.term !== null && c.term.exitCode !== 0)) return 'Failed';
  if (d.stage === 'sandbox' || d.stage === 'init') return d.phase === 'Pending' ? 'Pending' : d.phase;
  const ms = mains(d);
  const done = d.stage === 'gone' || (d.stage === 'terminating' && ms.every((c) => c.st === 'exited' || c.st === 'waiting'));
  if (done) return ms.every((c) => (c.term ?? c.last)?.exitCode === 0) ? 'Succeeded' : 'Failed';
  if (ms.some((c) => c.st !== 'exited' && c.st !== 'running' && c.st !== 'killing' && c.st !== 'preStop' && c.last === null)) return 'Pending';
  if (ms.some((c) => c.st === 'running' || c.st === 'killing' || c.st === 'preStop')) return 'Running';
  if (ms.every((c) => c.st === 'exited')) {
    if (ms.every((c) => c.term?.exitCode === 0)) return 'Succeeded';
    if (policy === 'Never' || ms.every((c) => c.term !== null)) return 'Failed';
  }
  return 'Running';
}

/** Renders the context as a core/v1 PodStatus (timestamps in RFC 3339). */
export function podStatus(ctx: PodCtx): PodStatus {
  const cond = (type: CondName, reasonOff?: string, messageOff?: string): PodCondition => {
    const c = ctx.conds[type];
    const out: PodCondition = { type, status: c.on ? 'True' : 'False', lastProbeTime: null as unknown as string, lastTransitionTime: rfc3339(c.at) };
    if (!c.on && reasonOff) out.reason = reasonOff;
    if (!c.on && messageOff) out.message = messageOff;
    return out;
  };
  const terminal = ctx.phase === 'Succeeded' || ctx.phase === 'Failed';
  const pendingInit = inits(ctx).filter((c) => c.term?.exitCode !== 0).map((c) => c.name);
  const unready = mains(ctx).filter((c) => !c.ready).map((c) => c.name);
  const notReady = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMsg = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const s: PodStatus = {
    phase: ctx.phase,
    conditions: [
      cond('PodReadyToStartContainers'),
      cond('Initialized', 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`),
      cond('Ready', notReady, notReadyMsg),
      cond('ContainersReady', notReady, notReadyMsg),
      scheduled(ctx),
    ],
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    startTime: rfc3339(ctx.startTime),
    containerStatuses: mains(ctx).map((c, j) => containerStatus(ctx, c, ctx.nInit + j)),
  };
  if (ctx.podIP) {
    s.podIP = ctx.podIP;
    s.podIPs = [{ ip: ctx.podIP }];
  }
  if (ctx.nInit > 0) s.initContainerStatuses = inits(ctx).map((c, i) => containerStatus(ctx, c, i));
  if (ctx.evicted) {
    s.reason = 'Evicted';
    s.message = ctx.evicted;
  }
  return s;
}

/** PodScheduled is the scheduler's; kubelet keeps what the pod already has. */
function scheduled(ctx: PodCtx): PodCondition {
  const had = ctx.pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  return had ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: rfc3339(ctx.startTime) };
}

function containerStatus(ctx: PodCtx, c: Ctr, i: number): ContainerStatus {
  const s: ContainerStatus = {
    name: c.name,
    state: stateOf(ctx, c),
    lastState: c.last ? { terminated: terminated(ctx, c.last) } : {},
    ready: c.ready,
    restartCount: c.restarts,
    image: specOf(ctx, i).image ?? '',
    imageID: c.imageRef,
    started: c.started,
  };
  if (c.id) s.containerID = `${ctx.runtime}://${c.id}`;
  return s;
}

function stateOf(ctx: PodCtx, c: Ctr): ContainerState {
  if (c.term) return { terminated: terminated(ctx, c.term) };
  if (c.st === 'running' || c.st === 'killing' || c.st === 'preStop') return { running: { startedAt: rfc3339(c.startedAt) } };
  const waiting: { reason: string; message?: string } = { reason: !c.init && ctx.stage === 'init' ? 'PodInitializing' : c.reason };
  if (c.message) waiting.message = c.message;
  return { waiting };
}

function terminated(ctx: PodCtx, t: Term): NonNullable<ContainerState['terminated']> {
  return {
    exitCode: t.exitCode, reason: t.reason, ...(t.message ? { message: t.message } : {}), startedAt: rfc3339(t.startedAt), finishedAt: rfc3339(t.finishedAt),
    containerID: `${ctx.runtime}://${t.id}`,
  };
}
