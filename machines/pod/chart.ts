import type { PodStatus } from 'kubernetes-types/core/v1.js';
import { and, assign, enqueueActions, setup, type AnyEventObject, type EventObject } from 'xstate';
import { firstCommands, flushed, initialContext, type PodCtx, type Stage } from './context.ts';
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
 * What the chart raises to itself after a step, when the step moved the pod's stage or its
 * wake-up: `pod.life.<stage>` moves the life region, `pod.wake` re-arms the timer,
 * `pod.both.<stage>` does both in one microstep and `pod.flush` flushes after them. Never
 * sent from outside.
 */
export type PodInternalEvent = { type: `pod.life.${Stage}` | `pod.both.${Stage}` | 'pod.wake' | 'pod.flush' };

const reportOf = (c: PodCtx): PodReport => ({ events: c.evs, status: c.dirty ? podStatus(c) : null });
const batchOf = (c: PodCtx): RuntimeBatch => ({ type: 'batch', cmds: c.out });
const pending = (c: PodCtx): boolean => c.out.length > 0 || c.evs.length > 0 || c.dirty;

/**
 * A step's outputs: its report, then its runtime commands — the order they had when the
 * runtime was a child actor (XState delivers a sendTo after the step's other actions), which
 * recorded logs and the kubelet's status writes follow.
 */
const flush = [
  { type: 'report', params: ({ context }: { context: PodCtx }): PodReport => reportOf(context) },
  { type: 'runCommands', params: ({ context }: { context: PodCtx }): RuntimeBatch => batchOf(context) },
  'clear',
] as const;

const STAGES: readonly Stage[] = ['sandbox', 'init', 'main', 'done', 'terminating', 'gone'];
const EVENTS: readonly PodChartEvent['type'][] = [
  'rt.sandbox', 'rt.sandboxFailed', 'rt.pulling', 'rt.pulled', 'rt.failed', 'rt.created', 'rt.started',
  'rt.probe', 'rt.postStartDone', 'rt.preStopDone', 'rt.exit', 'rt.tornDown', 'delete', 'evict',
];
const TICK = { type: 'tick' } as const;

type PodEvent = PodChartEvent | PodInternalEvent;
/** The chart's actions and guards with their params, as `setup` types them (spelled out: `step` and `tick` enqueue them). */
type PodAction =
  | { type: 'report'; params: PodReport }
  | { type: 'runCommands'; params: RuntimeBatch }
  | { type: 'emitTerminated'; params: unknown }
  | { type: 'clear'; params: unknown };
type PodGuard = { type: 'pending'; params: unknown } | { type: 'wakeGone'; params: unknown };
type Enqueue = Parameters<Parameters<typeof enqueueActions<PodCtx, PodEvent, undefined, PodEvent, never, PodAction, PodGuard, 'wake', EventObject>>[0]>[0]['enqueue'];

/**
 * After a step: `from` is the context before it, `next` what `reduce` made of it. This
 * keeps the order of timer set/clear calls and outputs the chart had when it followed its
 * context with eventless transitions (recorded logs number the timers and order the
 * outputs). A step that moves neither the stage nor the wake-up flushes at once — a timer
 * firing only after its re-entered `armed` set the next timer: it raises `pod.flush`. One
 * that moves one of them raises the move, whose transition exits, flushes, then enters;
 * one that moves both raises one move for both regions, then `pod.flush`.
 */
function settle(enqueue: Enqueue, from: PodCtx, next: PodCtx, tick: boolean): void {
  // The pod is gone: reduce changed nothing.
  if (next === from) return;
  const life = next.stage !== from.stage;
  // A tick re-entered `armed`: it moves only to `idle`. Otherwise armedAt is Infinity in
  // `idle` and the armed deadline in `armed`.
  const wake = tick ? next.wakeAt === Infinity : next.wakeAt !== next.armedAt;
  // `next` is reduce's fresh draft: the timer's deadline (and below, the flush) is written
  // into it, so one assign does for the step, the timer and `clear`.
  if (tick || wake) next.armedAt = next.wakeAt;
  if (life && wake) {
    enqueue.assign(() => next);
    enqueue.raise({ type: `pod.both.${next.stage}` });
    enqueue.raise({ type: 'pod.flush' });
  } else if (life || wake) {
    enqueue.assign(() => next);
    enqueue.raise({ type: life ? `pod.life.${next.stage}` : 'pod.wake' });
  } else if (tick || !pending(next)) {
    enqueue.assign(() => next);
    if (tick && pending(next)) enqueue.raise({ type: 'pod.flush' });
  } else {
    const report = reportOf(next);
    const batch = batchOf(next);
    Object.assign(next, flushed());
    enqueue.assign(() => next);
    enqueue({ type: 'report', params: report });
    enqueue({ type: 'runCommands', params: batch });
  }
}

/** The life region's moves to the stage a step raised, flushing between exit and entry when output is pending. */
const lifeMoves = Object.fromEntries(STAGES.flatMap((s) => [
  [`pod.life.${s}`, [{ guard: 'pending', target: `.${s}`, actions: [...flush] }, { target: `.${s}` }]],
  [`pod.both.${s}`, { target: `.${s}` }],
]));

/**
 * The timer region's re-arming, on `pod.wake` (flushing between exit and entry) and on
 * `pod.both.*` (one descriptor: XState formats every transition of a machine when it is made,
 * and each one holds its formatted transitions).
 */
const rearm = (moves: object[], flushing: object[]) => ({ 'pod.wake': flushing, 'pod.both.*': moves });

const podSetup = setup({
  types: {
    context: {} as PodCtx,
    events: {} as PodEvent,
    input: {} as PodInput,
  },
  actions: {
    /** Runs a step's RuntimeCommands; their results come back as `rt.*` events. */
    runCommands: (_, _params: RuntimeBatch) => undefined,
    /** Reports what the last steps produced: new events, and the status if it changed. */
    report: (_, _params: PodReport) => undefined,
    emitTerminated: () => undefined,
    clear: assign(flushed),
  },
  guards: {
    pending: ({ context }) => pending(context),
    wakeGone: ({ context }) => context.wakeAt === Infinity,
  },
  delays: {
    wake: ({ context }) => Math.max(0, context.wakeAt - context.now),
  },
});

/** An event's step: reduce, then `settle`. */
const step = enqueueActions<PodCtx, PodEvent, undefined, PodEvent, never, PodAction, PodGuard, 'wake', EventObject>(({ context, event, enqueue }) => {
  settle(enqueue, context, reduce(context, event as PodChartEvent), false);
});
/** A timer firing's step (its `now` is the deadline it was armed for). */
const tick = enqueueActions<PodCtx, PodEvent, undefined, PodEvent, never, PodAction, PodGuard, 'wake', EventObject>(({ context, enqueue }) => {
  settle(enqueue, context, reduce(context, TICK), true);
});

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
 * A step moves them by raising an event only when the stage or the deadline changed
 * (`settle`); most steps are one microstep (eventless transitions cost XState a selection
 * pass and a microstep each).
 *
 * Time: the current time is `context.now`, set from the `at` every event carries (the
 * actor layer stamps it from its clock) or, on a timer firing, from the deadline it was
 * armed for. Effects are named actions the actor layer provides: `runCommands` runs the
 * RuntimeCommands (in batches) and sends their RuntimeEvents back to the pod; `report` and
 * `emitTerminated` report outward. The runtime is an action rather than an invoked child
 * actor: a child per pod cost about 2 KB of heap and a mailbox hop per step.
 */
export const podMachine = podSetup.createMachine({
  id: 'pod',
  type: 'parallel',
  context: ({ input }) => initialContext(input),
  // The first step's outputs: the Pending status, then create the sandbox.
  entry: [
    { type: 'report', params: ({ context }) => ({ events: context.evs, status: podStatus(context) }) },
    { type: 'runCommands', params: () => ({ type: 'batch', cmds: firstCommands() }) },
  ],
  on: {
    ...(Object.fromEntries(EVENTS.map((t) => [t, { actions: step }])) as Record<PodChartEvent['type'], { actions: typeof step }>),
    'pod.flush': { guard: 'pending', actions: [...flush] },
  },
  states: {
    life: {
      initial: 'sandbox',
      on: lifeMoves,
      states: {
        sandbox: {},
        init: {},
        main: {},
        done: {},
        terminating: {},
        gone: { entry: [...flush, 'emitTerminated'] },
      },
    },
    timer: {
      initial: 'idle',
      states: {
        idle: {
          on: rearm([{ target: 'armed' }], [{ guard: 'pending', target: 'armed', actions: [...flush] }, { target: 'armed' }]),
        },
        armed: {
          on: rearm(
            [{ guard: 'wakeGone', target: 'idle' }, { target: 'armed', reenter: true }],
            [
              { guard: and(['wakeGone', 'pending']), target: 'idle', actions: [...flush] },
              { guard: 'wakeGone', target: 'idle' },
              { guard: 'pending', target: 'armed', reenter: true, actions: [...flush] },
              { target: 'armed', reenter: true },
            ],
          ),
          after: { wake: { actions: tick, target: 'armed', reenter: true } },
        },
      },
    },
  },
});

export type PodMachine = typeof podMachine;
/** For actors that forward arbitrary events: true when the chart handles `e`. */
export const isPodEvent = (e: AnyEventObject): e is PodChartEvent => (EVENTS as readonly string[]).includes(e.type);
