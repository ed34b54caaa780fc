import type { Probe } from 'kubernetes-types/core/v1.js';
import { event, neverProbed, probeStates, specOf, type PodCtx } from './context.ts';
import { PROBE_KINDS, type Ctr, type ProbeKind, type RuntimeEvent } from './types.ts';

/**
 * Probes, as kubelet's prober workers run them: an attempt every periodSeconds from
 * initialDelaySeconds after the container started; a result flips only after
 * successThreshold / failureThreshold consecutive attempts agree. Until the startup probe
 * succeeds, liveness and readiness do not run. Readiness starts as not ready; a failed
 * liveness or startup probe kills the container (restarted per restartPolicy).
 */
const KIND_INDEX: Record<ProbeKind, 0 | 1 | 2> = { startup: 0, liveness: 1, readiness: 2 };
const LABEL: Record<ProbeKind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

function probeOf(d: PodCtx, i: number, kind: ProbeKind): Probe | undefined {
  const s = specOf(d, i);
  return kind === 'startup' ? s.startupProbe : kind === 'liveness' ? s.livenessProbe : s.readinessProbe;
}

const secs = (v: number | undefined, dflt: number): number => (v ?? dflt) * 1000;

/** Called when container i starts running. Init containers have no probes. */
export function startProbing(d: PodCtx, i: number): void {
  const c = d.ctrs[i]!;
  if (c.init) return;
  if (probeOf(d, i, 'startup')) schedule(d, i, 'startup');
  else afterStartup(d, i);
}

function afterStartup(d: PodCtx, i: number): void {
  const c = d.ctrs[i]!;
  c.started = true;
  d.dirty = true;
  if (probeOf(d, i, 'liveness')) schedule(d, i, 'liveness');
  if (probeOf(d, i, 'readiness')) schedule(d, i, 'readiness');
  else c.ready = true;
}

function schedule(d: PodCtx, i: number, kind: ProbeKind): void {
  const c = d.ctrs[i]!;
  const p = probeStates(c)[KIND_INDEX[kind]];
  p.due = Math.max(d.now, c.startedAt + secs(probeOf(d, i, kind)?.initialDelaySeconds, 0));
  p.ok = p.bad = 0;
}

export function stopProbing(c: Ctr): void {
  if (neverProbed(c)) return;
  for (const p of c.probes) {
    p.due = Infinity;
    p.ok = p.bad = 0;
  }
}

/** Issues every probe attempt that is due. */
export function probeDue(d: PodCtx): void {
  d.ctrs.forEach((c, i) => {
    if (c.st !== 'running') return;
    for (const kind of PROBE_KINDS) {
      if (c.probes[KIND_INDEX[kind]].due > d.now) continue;
      const p = probeStates(c)[KIND_INDEX[kind]];
      p.due = d.now + secs(probeOf(d, i, kind)?.periodSeconds, 10);
      if (p.inFlight) continue;
      p.inFlight = true;
      d.out.push({ type: 'probe', i, id: c.id, kind });
    }
  });
}

export function onProbe(d: PodCtx, e: Extract<RuntimeEvent, { type: 'rt.probe' }>): void {
  const c = d.ctrs[e.i];
  if (!c || c.id !== e.id) return;
  const p = probeStates(c)[KIND_INDEX[e.kind]];
  p.inFlight = false;
  const spec = probeOf(d, e.i, e.kind);
  if (c.st !== 'running' || p.due === Infinity || !spec) return;
  if (e.ok) {
    p.bad = 0;
    if (++p.ok < (spec.successThreshold ?? 1)) return;
    if (e.kind === 'startup') {
      p.due = Infinity;
      afterStartup(d, e.i);
    } else if (e.kind === 'readiness' && !c.ready) {
      c.ready = true;
      d.dirty = true;
    }
    return;
  }
  p.ok = 0;
  event(d, 'Warning', 'Unhealthy', `${LABEL[e.kind]} probe failed: ${e.message}`, c);
  if (++p.bad < (spec.failureThreshold ?? 3)) return;
  if (e.kind === 'readiness') {
    if (c.ready) d.dirty = true;
    c.ready = false;
    return;
  }
  event(d, 'Normal', 'Killing', `Container ${c.name} failed ${e.kind} probe, will be restarted`, c);
  stopProbing(c);
  c.ready = false;
  c.probeKilled = true;
  c.st = 'killing';
  d.dirty = true;
  const grace = spec.terminationGracePeriodSeconds ?? d.pod.spec?.terminationGracePeriodSeconds ?? 30;
  d.out.push({ type: 'stop', i: e.i, id: c.id, graceSeconds: grace });
}
