import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { sharedText } from './shared-text.ts';
import type { Cond, CondName, Ctr, PodEventRecord, PodInput, ProbeState, RuntimeCommand } from './types.ts';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';
export type Stage = 'sandbox' | 'init' | 'main' | 'done' | 'terminating' | 'gone';

/**
 * The pod actor's whole state. Kept small (one flat record per container, shared empty
 * outboxes) because a node process holds up to 150k of them.
 */
export interface PodCtx {
  pod: Pod;
  hostIP: string;
  podIP: string;
  runtime: string;
  startTime: number;
  /** The current time: the last event's `at`, or the due time of the timer that fired. */
  now: number;
  stage: Stage;
  /** ctrs = init containers, then containers; `nInit` splits them. */
  nInit: number;
  ctrs: Ctr[];
  sandboxId: string;
  sandboxRetryAt: number;
  /** The container whose pull/create/start sequence is in progress (kubelet starts them one at a time); -1 none. */
  busy: number;
  conds: Record<CondName, Cond>;
  phase: PodPhase;
  /** Termination: when it began and the grace period in seconds. */
  termAt: number;
  graceSeconds: number;
  tornDown: boolean;
  /** The next timer the chart wants (Infinity: none) and the one currently armed. */
  wakeAt: number;
  armedAt: number;
  out: RuntimeCommand[];
  evs: PodEventRecord[];
  /** Status-visible fields changed since the last report. */
  dirty: boolean;
  /** The eviction message once the kubelet evicted the pod (absent otherwise, so snapshots of other pods are unchanged). */
  evicted?: string;
}

const NONE: never[] = [];

const IDLE_PROBE: ProbeState = Object.freeze({ due: Infinity, inFlight: false, ok: 0, bad: 0 });
/**
 * The probe states of a container that has never probed: one frozen triple shared by every
 * such container (most have no probes at all), copied on the first write (`probeStates`).
 * Three objects per container, copied on every step, were about 200 bytes of heap per pod.
 */
const IDLE_PROBES = Object.freeze([IDLE_PROBE, IDLE_PROBE, IDLE_PROBE]) as unknown as Ctr['probes'];

/** A draft container's probe states, ready to be written. */
export function probeStates(c: Ctr): Ctr['probes'] {
  if (c.probes === IDLE_PROBES) c.probes = [{ ...IDLE_PROBE }, { ...IDLE_PROBE }, { ...IDLE_PROBE }];
  return c.probes;
}

/** Whether a container has never probed (its states are the shared idle ones). */
export const neverProbed = (c: Ctr): boolean => c.probes === IDLE_PROBES;

/** The first step's runtime commands: create the sandbox. */
export const firstCommands = (): RuntimeCommand[] => [{ type: 'sandbox' }];

/**
 * The pod's context once its first step's outputs are taken: the chart reports the Pending
 * status and runs {@link firstCommands} as it starts. Starting with the outboxes empty
 * spares the chart a `clear` (a context copy and a snapshot) per pod start.
 */
export function initialContext(input: PodInput): PodCtx {
  const spec = input.pod.spec;
  const inits = spec?.initContainers ?? [];
  const mains = spec?.containers ?? [];
  // One record for all four: conditions are replaced, never written (status.ts, flip).
  const off: Cond = { on: false, at: input.now };
  return {
    pod: input.pod, hostIP: input.hostIP, podIP: input.podIP ?? '', runtime: input.runtime,
    startTime: input.now, now: input.now, stage: 'sandbox', nInit: inits.length,
    ctrs: [...inits.map((c) => newCtr(c, true)), ...mains.map((c) => newCtr(c, false))],
    sandboxId: '', sandboxRetryAt: Infinity, busy: -1,
    conds: { PodReadyToStartContainers: off, Initialized: off, ContainersReady: off, Ready: off },
    phase: 'Pending', termAt: Infinity, graceSeconds: 0, tornDown: false, wakeAt: Infinity, armedAt: Infinity,
    out: NONE, evs: NONE, dirty: false,
  };
}

function newCtr(c: Container, init: boolean): Ctr {
  return {
    name: c.name, init, st: 'waiting', reason: init ? 'PodInitializing' : 'ContainerCreating', message: '',
    id: '', imageRef: '', restarts: 0, startedAt: 0, term: null, last: null, startAt: -Infinity,
    backoffMs: 0, backoffAt: 0, pullBackoffMs: 0, pullFailedAt: Infinity, started: false, ready: false, probeKilled: false,
    probes: IDLE_PROBES,
  };
}

/** A copy the reducers may mutate (containers copied too); outboxes start empty. */
export function draft(ctx: PodCtx, at?: number): PodCtx {
  return {
    ...ctx,
    now: at === undefined ? ctx.now : Math.max(ctx.now, at),
    ctrs: ctx.ctrs.map((c) => ({ ...c, probes: c.probes === IDLE_PROBES ? IDLE_PROBES : [{ ...c.probes[0] }, { ...c.probes[1] }, { ...c.probes[2] }] })),
    conds: { ...ctx.conds },
    out: [...ctx.out],
    evs: [...ctx.evs],
  };
}

/** Clears the outboxes after the actor layer has taken them. */
export const flushed = (): Partial<PodCtx> => ({ out: NONE, evs: NONE, dirty: false });

export function specOf(ctx: PodCtx, i: number): Container {
  const s = ctx.pod.spec;
  return (i < ctx.nInit ? s?.initContainers?.[i] : s?.containers?.[i - ctx.nInit]) ?? { name: ctx.ctrs[i]?.name ?? '' };
}

export function fieldPath(c: Ctr): string {
  return sharedText(`${c.init ? 'spec.initContainers' : 'spec.containers'}{${c.name}}`);
}

export function event(d: PodCtx, type: PodEventRecord['type'], reason: PodEventRecord['reason'], message: string, c?: Ctr): void {
  const e: PodEventRecord = { type, reason, message: sharedText(message), at: d.now };
  if (c) e.fieldPath = fieldPath(c);
  d.evs.push(e);
}

/** `name_namespace(uid)`, as kubelet names a pod in messages. */
export function podRef(pod: Pod): string {
  const m = pod.metadata;
  return `${m?.name ?? ''}_${m?.namespace ?? 'default'}(${m?.uid ?? ''})`;
}

export const mains = (d: PodCtx): Ctr[] => d.ctrs.slice(d.nInit);
export const inits = (d: PodCtx): Ctr[] => d.ctrs.slice(0, d.nInit);
