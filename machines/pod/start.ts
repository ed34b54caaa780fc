import { goDuration, next, nextPull, restartAt } from './backoff.ts';
import { event, podRef, specOf, type PodCtx } from './context.ts';
import { startProbing, stopProbing } from './probes.ts';
import type { Ctr, RuntimeEvent, Term } from './types.ts';

/**
 * Container start and exit, for init and regular containers alike. kubelet starts one
 * container at a time (pull → create → start, serialized image pulls), so `busy` holds
 * the one in its sequence; `advance` picks the next container whose turn has come.
 */
export function advance(d: PodCtx): void {
  if (d.busy >= 0 || (d.stage !== 'init' && d.stage !== 'main')) return;
  const i = d.stage === 'init'
    ? nextInit(d)
    : d.ctrs.findIndex((c, i) => i >= d.nInit && c.st === 'waiting' && c.term === null && c.startAt <= d.now);
  const c = d.ctrs[i];
  if (c === undefined || c.st !== 'waiting' || c.term !== null || c.startAt > d.now) return;
  if (c.restarts > 0 && c.last) Object.assign(c, next(c, c.last.finishedAt, d.now));
  d.busy = i;
  c.st = 'pulling';
  if (c.reason === 'CrashLoopBackOff') c.reason = c.init ? 'PodInitializing' : 'ContainerCreating';
  d.out.push({ type: 'pull', i });
  d.dirty = true;
}

/** The first init container that has not completed, or -1. */
export function nextInit(d: PodCtx): number {
  for (let i = 0; i < d.nInit; i++) if (d.ctrs[i]!.term?.exitCode !== 0) return i;
  return -1;
}

/** A pull/create/start result for container `e.i`. */
export function onStartStep(d: PodCtx, e: Extract<RuntimeEvent, { i: number }>): void {
  const c = d.ctrs[e.i];
  if (!c) return;
  const image = specOf(d, e.i).image ?? '';
  switch (e.type) {
    case 'rt.pulling':
      event(d, 'Normal', 'Pulling', `Pulling image "${image}"`, c);
      return;
    case 'rt.pulled': {
      c.imageRef = e.imageRef;
      c.pullBackoffMs = 0;
      const secs = `${Number(((e.durationMs ?? 0) / 1000).toFixed(3))}s`;
      event(d, 'Normal', 'Pulled', e.durationMs === undefined
        ? `Container image "${image}" already present on machine`
        : `Successfully pulled image "${image}" in ${secs} (${secs} including waiting)`, c);
      if (abandoned(d, c)) return;
      c.st = 'creating';
      d.out.push({ type: 'create', i: e.i });
      return;
    }
    case 'rt.created':
      c.id = e.id;
      d.dirty = true;
      event(d, 'Normal', 'Created', `Created container ${c.name}`, c);
      if (abandoned(d, c)) return;
      c.st = 'starting';
      d.out.push({ type: 'start', i: e.i, id: e.id });
      return;
    case 'rt.started':
      if (e.id !== c.id || c.st !== 'starting') return;
      event(d, 'Normal', 'Started', `Started container ${c.name}`, c);
      c.startedAt = d.now;
      if (specOf(d, e.i).lifecycle?.postStart) {
        // kubelet runs the hook inside its start step: the container is not Running, its
        // probes do not begin and the next container does not start until the hook returns.
        c.st = 'postStart';
        d.out.push({ type: 'postStart', i: e.i, id: e.id });
        return;
      }
      running(d, e.i);
      return;
    case 'rt.failed': {
      if (e.step === 'start') return startError(d, e.i, e.message);
      d.busy = -1;
      c.st = 'waiting';
      c.pullBackoffMs = nextPull(c.pullBackoffMs);
      c.startAt = d.now + c.pullBackoffMs;
      if (e.step === 'pull') c.pullFailedAt = d.now;
      c.reason = REASONS[e.step];
      c.message = e.message;
      d.dirty = true;
      if (e.step === 'pull') event(d, 'Warning', 'Failed', `Failed to pull image "${image}": ${e.message}`, c);
      // generateContainerConfig's failure names its cause in the event; the others name the reason.
      event(d, 'Warning', 'Failed', `Error: ${e.step === 'config' ? e.message : c.reason}`, c);
      return;
    }
  }
}

/** The waiting reason of a failed start step, as kubelet's errors name them. */
const REASONS = { pull: 'ErrImagePull', config: 'CreateContainerConfigError', create: 'CreateContainerError', start: 'RunContainerError' } as const;

/** The container runs: its status says so and its probes begin. */
function running(d: PodCtx, i: number): void {
  const c = d.ctrs[i]!;
  c.st = 'running';
  c.reason = c.message = '';
  d.busy = -1;
  d.dirty = true;
  startProbing(d, i);
}

/**
 * The postStart hook returned. A failed one is kubelet's FailedPostStartHook: the event
 * without the hook's output (it may hold secrets), then the container is killed as kubelet's
 * killContainer does — its preStop hook first (within the pod's grace period), then
 * StopContainer with what is left — and its exit follows the restart policy.
 */
export function onPostStartDone(d: PodCtx, e: Extract<RuntimeEvent, { type: 'rt.postStartDone' }>): void {
  const c = d.ctrs[e.i];
  if (!c || c.id !== e.id || c.st !== 'postStart') return;
  if (!e.error) return running(d, e.i);
  event(d, 'Warning', 'FailedPostStartHook', 'PostStartHook failed', c);
  event(d, 'Normal', 'Killing', 'FailedPostStartHook', c);
  d.busy = -1;
  const grace = Math.max(0, d.pod.spec?.terminationGracePeriodSeconds ?? 30);
  if (specOf(d, e.i).lifecycle?.preStop && grace > 0) {
    c.st = 'preStop';
    c.killAt = d.now;
    c.killGrace = grace;
    d.out.push({ type: 'preStop', i: e.i, id: c.id, timeoutSeconds: grace });
    return;
  }
  c.st = 'killing';
  d.out.push({ type: 'stop', i: e.i, id: c.id, graceSeconds: Math.max(2, grace) });
}

/**
 * StartContainer failed (the command does not exist or cannot run): containerd leaves the
 * container exited with code 128 and reason StartError, the event says `Error: <cause>`, and
 * the restart policy decides what follows, back-off included.
 */
function startError(d: PodCtx, i: number, message: string): void {
  const c = d.ctrs[i]!;
  d.busy = -1;
  event(d, 'Warning', 'Failed', `Error: ${message}`, c);
  // containerd reports a container that never started with a zero start time.
  ended(d, i, { exitCode: 128, reason: 'StartError', message, startedAt: 0, finishedAt: d.now, id: c.id });
}

/** How long after a failed pull the pod worker's next sync finds the image in back-off. */
export const PULL_RESYNC_MS = 1000;

/**
 * kubelet's image back-off as the next sync sees it: a container whose pull failed waits as
 * ImagePullBackOff (Normal BackOff "Back-off pulling image", Warning "Error: ImagePullBackOff")
 * until its window ends and the pull is tried again.
 */
export function pullBackOff(d: PodCtx): void {
  for (const [i, c] of d.ctrs.entries()) {
    if (c.reason !== 'ErrImagePull' || c.st !== 'waiting' || c.startAt <= d.now || d.now < c.pullFailedAt + PULL_RESYNC_MS) continue;
    const image = specOf(d, i).image ?? '';
    c.reason = 'ImagePullBackOff';
    c.message = `Back-off pulling image "${image}"`;
    c.pullFailedAt = Infinity;
    d.dirty = true;
    event(d, 'Normal', 'BackOff', c.message, c);
    event(d, 'Warning', 'Failed', 'Error: ImagePullBackOff', c);
  }
}

/** When `pullBackOff` has something to show (Infinity: nothing). */
export function pullBackOffDue(d: PodCtx): number {
  let at = Infinity;
  for (const c of d.ctrs) if (c.reason === 'ErrImagePull' && c.st === 'waiting' && c.startAt > d.now) at = Math.min(at, c.pullFailedAt + PULL_RESYNC_MS);
  return at;
}

/** During termination nothing new starts: the sequence ends where it stands. */
function abandoned(d: PodCtx, c: Ctr): boolean {
  if (d.stage !== 'terminating') return false;
  d.busy = -1;
  c.st = 'exited';
  return true;
}

/** The runtime reports that the instance `e.id` exited. */
export function onExit(d: PodCtx, e: Extract<RuntimeEvent, { type: 'rt.exit' }>): void {
  const i = d.ctrs.findIndex((c) => c.id === e.id);
  const c = d.ctrs[i];
  if (!c || c.term !== null || c.st === 'exited') return;
  if (c.st === 'starting') {
    // The exit overtook StartContainer's answer: it did start, at the latest now.
    event(d, 'Normal', 'Started', `Started container ${c.name}`, c);
    c.startedAt = d.now;
  }
  if (d.busy === i) d.busy = -1;
  const term: Term = { exitCode: e.exitCode, reason: e.oomKilled ? 'OOMKilled' : e.exitCode === 0 ? 'Completed' : 'Error', startedAt: c.startedAt, finishedAt: d.now, id: c.id };
  if (e.message) term.message = e.message;
  ended(d, i, term);
}

/** Container `i`'s instance ended as `term`: it stays ended, or waits for its restart (back-off included). */
function ended(d: PodCtx, i: number, term: Term): void {
  const c = d.ctrs[i]!;
  stopProbing(c);
  c.started = c.ready = false;
  d.dirty = true;
  const policy = d.pod.spec?.restartPolicy ?? 'Always';
  const again = d.stage !== 'terminating' && (c.init
    ? term.exitCode !== 0 && policy !== 'Never'
    : policy === 'Always' || (policy === 'OnFailure' && (term.exitCode !== 0 || c.probeKilled)) || (c.probeKilled && policy !== 'Never'));
  c.probeKilled = false;
  if (!again) {
    c.st = 'exited';
    c.term = term;
    return;
  }
  c.last = term;
  c.restarts++;
  c.st = 'waiting';
  c.startAt = restartAt(c, term.finishedAt);
  if (c.startAt > d.now) {
    c.reason = 'CrashLoopBackOff';
    c.message = `back-off ${goDuration(c.backoffMs)} restarting failed container=${c.name} pod=${podRef(d.pod)}`;
    event(d, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podRef(d.pod)}`, c);
  } else {
    c.reason = c.init ? 'PodInitializing' : 'ContainerCreating';
  }
}
