import type { PodStatus } from 'kubernetes-types/core/v1.js';
import { assign, setup, type AnyEventObject } from 'xstate';
import { flushed, initialContext, type PodCtx, type Stage } from './context.ts';
import { reduce } from './reduce.ts';
import { podStatus } from './status.ts';
import type { PodChartEvent, PodEventRecord, PodInput, RuntimeCommand } from './types.ts';

/** The commands of one step, given to the `runCommands` effect together (possibly none). */
export interface RuntimeBatch {
  type: 'batch';
  cmds: RuntimeCommand[];
}

export interface PodReport {
  events: PodEventRecord[];
  /** Null when unchanged since the last report. */
  status: PodStatus | null;
}

/**
 * A step's outputs: its report, then its runtime commands — the order they had when the
 * runtime was a child actor (XState delivers a sendTo after the step's other actions), which
 * recorded logs and the kubelet's status writes follow.
 */
const flush = [
  { type: 'report', params: ({ context }: { context: PodCtx }): PodReport => ({ events: context.evs, status: context.dirty ? podStatus(context) : null }) },
  { type: 'runCommands', params: ({ context }: { context: PodCtx }): RuntimeBatch => ({ type: 'batch', cmds: context.out }) },
  'clear',
] as const;

const STAGES: readonly Stage[] = ['sandbox', 'init', 'main', 'done', 'terminating', 'gone'];
const EVENTS: readonly PodChartEvent['type'][] = [
  'rt.sandbox', 'rt.sandboxFailed', 'rt.pulling', 'rt.pulled', 'rt.failed', 'rt.created', 'rt.started',
  'rt.probe', 'rt.postStartDone', 'rt.preStopDone', 'rt.exit', 'rt.tornDown', 'delete', 'evict',
];

/** Each life state follows `context.stage`, which the reducer moves. */
const follow = (self: Stage) =>
  STAGES.filter((s) => s !== self).map((s) => ({ guard: ({ context }: { context: PodCtx }) => context.stage === s, target: s }));

/**
 * The pod: one root actor per pod. It creates the sandbox, runs the init containers in
 * order (each to completion), then pulls, creates and starts the containers one at a time,
 * and keeps them running: restarts per restartPolicy with kubelet's back-off, probes,
 * kills on liveness failure. With Never/OnFailure it may end Succeeded or Failed (`done`).
 * A `delete` from any state terminates gracefully (preStop, SIGTERM, kill at the grace
 * deadline), tears the sandbox down and reports `terminated` (`gone`).
 *
 * Containers live as flat records in context, driven by the pure `reduce`; the `life`
 * region mirrors the pod's stage for the inspector, the `timer` region keeps one delayed
 * wake-up armed for the earliest deadline (back-off end, next probe, sandbox retry).
 *
 * Time: the current time is `context.now`, set from the `at` every event carries (the
 * actor layer stamps it from its clock) or, on a timer firing, from the deadline it was
 * armed for. Effects are named actions the actor layer provides: `runCommands` runs the
 * RuntimeCommands (in batches) and sends their RuntimeEvents back to the pod; `report` and
 * `emitTerminated` report outward. The runtime is an action rather than an invoked child
 * actor: a child per pod cost about 2 KB of heap and a mailbox hop per step.
 */
export const podMachine = setup({
  types: {
    context: {} as PodCtx,
    events: {} as PodChartEvent,
    input: {} as PodInput,
  },
  actions: {
    /** Runs a step's RuntimeCommands; their results come back as `rt.*` events. */
    runCommands: (_, _params: RuntimeBatch) => undefined,
    /** Reports what the last steps produced: new events, and the status if it changed. */
    report: (_, _params: PodReport) => undefined,
    emitTerminated: () => undefined,
    step: assign(({ context, event }) => reduce(context, event)),
    tick: assign(({ context }) => reduce(context, { type: 'tick' })),
    clear: assign(flushed),
  },
  guards: {
    pending: ({ context }) => context.out.length > 0 || context.evs.length > 0 || context.dirty,
    wakeWanted: ({ context }) => context.wakeAt !== Infinity,
    wakeGone: ({ context }) => context.wakeAt === Infinity,
    wakeMoved: ({ context }) => context.wakeAt !== context.armedAt,
  },
  delays: {
    wake: ({ context }) => Math.max(0, context.wakeAt - context.now),
  },
}).createMachine({
  id: 'pod',
  type: 'parallel',
  context: ({ input }) => initialContext(input),
  on: Object.fromEntries(EVENTS.map((t) => [t, { actions: 'step' }])) as Record<PodChartEvent['type'], { actions: 'step' }>,
  always: { guard: 'pending', actions: [...flush] },
  states: {
    life: {
      initial: 'sandbox',
      states: {
        sandbox: { always: follow('sandbox') },
        init: { always: follow('init') },
        main: { always: follow('main') },
        done: { always: follow('done') },
        terminating: { always: follow('terminating') },
        gone: { entry: [...flush, 'emitTerminated'] },
      },
    },
    timer: {
      initial: 'idle',
      states: {
        idle: { entry: assign({ armedAt: Infinity }), always: { guard: 'wakeWanted', target: 'armed' } },
        armed: {
          entry: assign({ armedAt: ({ context }) => context.wakeAt }),
          always: [{ guard: 'wakeGone', target: 'idle' }, { guard: 'wakeMoved', target: 'armed', reenter: true }],
          after: { wake: { actions: 'tick', target: 'armed', reenter: true } },
        },
      },
    },
  },
});

export type PodMachine = typeof podMachine;
/** For actors that forward arbitrary events: true when the chart handles `e`. */
export const isPodEvent = (e: AnyEventObject): e is PodChartEvent => (EVENTS as readonly string[]).includes(e.type);
