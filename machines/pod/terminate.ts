import { event, specOf, type PodCtx } from './context.ts';
import { stopProbing } from './probes.ts';
import type { DeleteEvent, RuntimeEvent } from './types.ts';

/**
 * Graceful termination, as kubelet's killPod does it: a Killing event per running
 * container, its preStop hook (bounded by the grace period), then StopContainer with what
 * is left of the grace period (at least 2 s once a hook ran, as kubelet's
 * minimumGracePeriodInSeconds) — the runtime sends SIGTERM and kills at the deadline.
 * Once nothing runs, the sandbox and containers are torn down and the pod is gone.
 */
export function beginTermination(d: PodCtx, e: DeleteEvent): void {
  d.stage = 'terminating';
  d.termAt = d.now;
  d.graceSeconds = Math.max(0, e.gracePeriodSeconds ?? d.pod.spec?.terminationGracePeriodSeconds ?? 30);
  d.sandboxRetryAt = Infinity;
  d.dirty = true;
  d.ctrs.forEach((c, i) => {
    if (c.st === 'waiting') {
      c.startAt = Infinity;
      return;
    }
    if (c.st !== 'running' && c.st !== 'postStart') return; // in-flight steps end in start.ts; killing/preStop already on their way
    // A postStart hook still running is abandoned: the container is stopped as a running one.
    if (c.st === 'postStart' && d.busy === i) d.busy = -1;
    stopProbing(c);
    c.ready = false;
    event(d, 'Normal', 'Killing', `Stopping container ${c.name}`, c);
    const hook = specOf(d, i).lifecycle?.preStop;
    if (hook && d.graceSeconds > 0) {
      c.st = 'preStop';
      d.out.push({ type: 'preStop', i, id: c.id, timeoutSeconds: d.graceSeconds });
    } else {
      c.st = 'killing';
      d.out.push({ type: 'stop', i, id: c.id, graceSeconds: d.graceSeconds });
    }
  });
}

export function onPreStopDone(d: PodCtx, e: Extract<RuntimeEvent, { type: 'rt.preStopDone' }>): void {
  const c = d.ctrs[e.i];
  if (!c || c.id !== e.id || c.st !== 'preStop') return;
  if (e.error) event(d, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${e.error}`, c);
  c.st = 'killing';
  // The hook shares the grace of the kill that ran it: the pod's termination, or a failed postStart's kill.
  const left = c.killAt === undefined ? d.graceSeconds - (d.now - d.termAt) / 1000 : (c.killGrace ?? 0) - (d.now - c.killAt) / 1000;
  delete c.killAt;
  delete c.killGrace;
  d.out.push({ type: 'stop', i: e.i, id: c.id, graceSeconds: Math.max(2, left) });
}

/** A container that reached running during termination is stopped at once, grace intact. */
export function stopLateStarter(d: PodCtx, i: number): void {
  const c = d.ctrs[i];
  if (!c || d.stage !== 'terminating' || c.st !== 'running') return;
  stopProbing(c);
  c.st = 'killing';
  event(d, 'Normal', 'Killing', `Stopping container ${c.name}`, c);
  const left = d.graceSeconds - (d.now - d.termAt) / 1000;
  d.out.push({ type: 'stop', i, id: c.id, graceSeconds: Math.max(0, left) });
}

/** True once no container runs or is on its way up or down. */
export function quiet(d: PodCtx): boolean {
  return d.busy < 0 && d.ctrs.every((c) => c.st === 'waiting' || c.st === 'exited');
}

export function tearDown(d: PodCtx): void {
  d.out.push({ type: 'teardown', ids: d.ctrs.map((c) => c.id).filter((id) => id !== '') });
}
