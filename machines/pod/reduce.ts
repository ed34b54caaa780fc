import { INITIAL_BACKOFF_MS } from './backoff.ts';
import { draft, event, type PodCtx } from './context.ts';
import { probeDue, onProbe } from './probes.ts';
import { advance, nextInit, onExit, onPostStartDone, onStartStep, pullBackOff, pullBackOffDue } from './start.ts';
import { settle } from './status.ts';
import { beginTermination, onPreStopDone, quiet, stopLateStarter, tearDown } from './terminate.ts';
import type { PodChartEvent } from './types.ts';

/**
 * The pod's one transition function: context × event → context, pure. The chart calls it
 * for every runtime result, delete and timer firing; what it wants done (runtime
 * commands, events, a status report, the next wake-up) is left in the new context for
 * the chart to flush.
 */
export function reduce(ctx: PodCtx, ev: PodChartEvent): PodCtx {
  if (ctx.stage === 'gone') return ctx;
  // A timer fires at the time it was armed for; reading that (not a clock) keeps replay exact.
  const d = draft(ctx, ev.type === 'tick' ? ctx.armedAt : ev.at);
  switch (ev.type) {
    case 'rt.sandbox':
      d.sandboxId = ev.sandboxId;
      if (ev.ip) d.podIP = ev.ip;
      if (d.stage === 'sandbox') d.stage = 'init';
      d.dirty = true;
      break;
    case 'rt.sandboxFailed':
      event(d, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${ev.message}`);
      if (d.stage === 'sandbox') d.sandboxRetryAt = d.now + INITIAL_BACKOFF_MS;
      break;
    case 'rt.pulling':
    case 'rt.pulled':
    case 'rt.created':
    case 'rt.failed':
      onStartStep(d, ev);
      break;
    case 'rt.started':
      onStartStep(d, ev);
      stopLateStarter(d, ev.i);
      break;
    case 'rt.probe':
      onProbe(d, ev);
      break;
    case 'rt.postStartDone':
      onPostStartDone(d, ev);
      stopLateStarter(d, ev.i);
      break;
    case 'rt.preStopDone':
      onPreStopDone(d, ev);
      break;
    case 'rt.exit':
      onExit(d, ev);
      break;
    case 'rt.tornDown':
      d.stage = 'gone';
      d.dirty = true;
      break;
    case 'delete':
      if (d.stage !== 'terminating') beginTermination(d, ev);
      break;
    case 'evict':
      if (d.stage !== 'terminating') {
        d.evicted = ev.message;
        beginTermination(d, { type: 'delete', at: ev.at, gracePeriodSeconds: 0 });
      }
      break;
    case 'tick':
      if (d.sandboxRetryAt <= d.now) {
        d.sandboxRetryAt = Infinity;
        d.out.push({ type: 'sandbox' });
      }
      break;
  }
  progress(d);
  pullBackOff(d);
  probeDue(d);
  settle(d);
  d.wakeAt = nextWake(d);
  return d;
}

function progress(d: PodCtx): void {
  for (;;) {
    const before = d.stage;
    if (d.stage === 'init') {
      if (d.ctrs.some((c) => c.init && c.term !== null && c.term.exitCode !== 0)) d.stage = 'done';
      else if (nextInit(d) < 0) d.stage = 'main';
    }
    if (d.stage === 'main' && d.ctrs.every((c) => c.init || c.term !== null)) d.stage = 'done';
    advance(d);
    if (d.stage === before) break;
  }
  if (d.stage === 'terminating' && !d.tornDown && quiet(d)) {
    d.tornDown = true;
    tearDown(d);
  }
}

function nextWake(d: PodCtx): number {
  let at = Math.min(d.sandboxRetryAt, pullBackOffDue(d));
  const starting = d.stage === 'init' || d.stage === 'main';
  for (const c of d.ctrs) {
    if (starting && c.st === 'waiting' && c.term === null && c.startAt > d.now) at = Math.min(at, c.startAt);
    if (c.st === 'running') for (const p of c.probes) at = Math.min(at, p.due);
  }
  return at;
}
