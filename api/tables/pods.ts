/**
 * The pods printer, as Kubernetes' printPod: READY counts ready containers (restartable
 * init containers included), STATUS is the most telling reason among phase, init
 * containers and containers (ContainerCreating, CrashLoopBackOff, Completed, Init:0/1,
 * Terminating, ...), RESTARTS shows the last restart's age.
 */
import type { JsonObject } from '../json.ts';
import { since } from './duration.ts';
import { arr, createdOf, metaOf, nameOf, num, obj, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

const isRestartableInit = (c: JsonObject | undefined): boolean => c?.restartPolicy === 'Always';

/** The latest of two RFC 3339 timestamps ('' is the zero time). */
const later = (a: string, b: unknown): string => (typeof b === 'string' && (a === '' || Date.parse(b) > Date.parse(a)) ? b : a);

const terminatedReason = (t: JsonObject, prefix: string): string => {
  if (str(t.reason)) return prefix + str(t.reason);
  return num(t.signal) !== 0 ? `${prefix}Signal:${num(t.signal)}` : `${prefix}ExitCode:${num(t.exitCode)}`;
};

const conditionTrue = (status: JsonObject, type: string): boolean =>
  arr(status.conditions).some((c) => obj(c).type === type && obj(c).status === 'True');

/** READY, STATUS, RESTARTS as kubectl shows them. */
export function podStatusCells(pod: JsonObject, now: number): { ready: string; reason: string; restarts: string } {
  const spec = specOf(pod);
  const status = statusOf(pod);
  const initSpecs = new Map(arr(spec.initContainers).map((c) => [str(obj(c).name), obj(c)]));
  let total = arr(spec.containers).length + [...initSpecs.values()].filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = '';
  let lastSidecarRestart = '';
  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  for (const c of arr(status.conditions)) {
    if (obj(c).type === 'PodScheduled' && obj(c).reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const inits = arr(status.initContainerStatuses).map(obj);
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    const state = obj(c.state);
    const lastTerm = obj(obj(c.lastTerminationState).terminated);
    restarts += num(c.restartCount);
    lastRestart = later(lastRestart, lastTerm.finishedAt);
    const sidecar = isRestartableInit(initSpecs.get(str(c.name)));
    if (sidecar) {
      sidecarRestarts += num(c.restartCount);
      lastSidecarRestart = later(lastSidecarRestart, lastTerm.finishedAt);
    }
    const term = state.terminated === undefined ? undefined : obj(state.terminated);
    const waiting = state.waiting === undefined ? undefined : obj(state.waiting);
    if (term && num(term.exitCode) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (term) reason = terminatedReason(term, 'Init:');
    else if (waiting && str(waiting.reason) && waiting.reason !== 'PodInitializing') reason = `Init:${str(waiting.reason)}`;
    else reason = `Init:${i}/${initSpecs.size}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const containers = arr(status.containerStatuses).map(obj);
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i]!;
      const state = obj(c.state);
      restarts += num(c.restartCount);
      lastRestart = later(lastRestart, obj(obj(c.lastTerminationState).terminated).finishedAt);
      const waiting = state.waiting === undefined ? undefined : obj(state.waiting);
      const term = state.terminated === undefined ? undefined : obj(state.terminated);
      if (waiting && str(waiting.reason)) reason = str(waiting.reason);
      else if (term && str(term.reason)) reason = str(term.reason);
      else if (term) reason = terminatedReason(term, '');
      else if (c.ready === true && state.running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = metaOf(pod).deletionTimestamp !== undefined;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsStr = restarts !== 0 && lastRestart ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts);
  total = Math.max(total, 0);
  return { ready: `${ready}/${total}`, reason, restarts: restartsStr };
}

export const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    col('IP', 'string', 'IP address allocated to the pod.', 1),
    col('Node', 'string', 'Name of the node where the pod is running.', 1),
    col('Nominated Node', 'string', 'Name of the node where the pod is nominated to run.', 1),
    col('Readiness Gates', 'string', 'Pod readiness gates.', 1),
  ],
  cells(pod, now) {
    const spec = specOf(pod);
    const status = statusOf(pod);
    const { ready, reason, restarts } = podStatusCells(pod, now);
    const ip = str(obj(arr(status.podIPs)[0]).ip) || str(status.podIP) || '<none>';
    const gates = arr(spec.readinessGates).map((g) => str(obj(g).conditionType));
    let readiness = '<none>';
    if (gates.length) {
      const trueCount = gates.filter((t) => conditionTrue(status, t)).length;
      readiness = `${trueCount}/${gates.length}`;
    }
    return [nameOf(pod), ready, reason, restarts, since(createdOf(pod), now), ip, str(spec.nodeName) || '<none>', str(status.nominatedNodeName) || '<none>', readiness];
  },
};
