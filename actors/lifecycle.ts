import type { ActorOptions, AnyActorRef, AnyStateMachine, InspectionEvent, Snapshot } from 'xstate';

/** An XState inspection callback or observer, attached to chosen actors only (inspection costs throughput). */
export type Inspect = NonNullable<ActorOptions<AnyStateMachine>['inspect']>;

/**
 * What the host reports about each actor's life; the recorder logs these and the inspector
 * follows actors across restarts with them. `at` is the host clock's time. A failed actor
 * produces `error` (with the delay chosen) and, that delay later, `restart`. `start` and
 * `restart` carry the new actor and are emitted just before it starts; when `create` throws
 * there is no actor, so only `error` is emitted. `seed` is the actor's effective seed and
 * `config` its `ActorDef.config` (what a replay needs to rebuild it).
 */
export type LifecycleEvent =
  | { type: 'start'; address: string; at: number; ref: AnyActorRef; seed: number; config?: unknown }
  | { type: 'restart'; address: string; at: number; ref: AnyActorRef; restarts: number; seed: number; config?: unknown }
  | { type: 'error'; address: string; at: number; error: unknown; failures: number; restartInMs: number }
  /** An event handed to the actor from outside the bus (`ActorHost.tell`): an input a recording must have. */
  | { type: 'input'; address: string; at: number; event: { type: string; [k: string]: unknown } }
  /** `done`: the chart reached a final state; `stopped`: `stop`/`stopAll` was called. The address is free again either way. */
  | { type: 'stop'; address: string; at: number; reason: 'stopped' | 'done' };

/** A view of one hosted actor at the moment `ActorHost.get` was called. */
export interface HostedActor {
  address: string;
  /** `running`, or `restarting` between a failure and its restart. */
  state: 'running' | 'restarting';
  /**
   * The current incarnation, or while restarting the failed one (its snapshot has status
   * 'error'). Undefined only if `create` itself threw. Subscribe to it with an `error`
   * callback: XState rethrows an actor's error globally for observers that have none.
   */
  ref: AnyActorRef | undefined;
  snapshot: Snapshot<unknown> | undefined;
  /** Restarts so far. */
  restarts: number;
  /** Consecutive failures counted by the backoff (reset after a stable period). */
  failures: number;
  /** Envelopes that arrived while it was restarting (requests among them were answered 503). */
  dropped: number;
  /** When the pending restart is due (host clock); 0 while running. */
  restartAt: number;
}

/** How to log one actor that runs outside the host (a pod under its kubelet) at event level. */
export interface ObserveOptions {
  /** The machine's registry name (what `replay --verify` looks up); default the machine's id. */
  machine?: string;
  input?: unknown;
  seed?: number;
  /** Names of the effect actions whose runs (with params) are its outputs, e.g. `['report', 'emitTerminated']`. */
  effects?: readonly string[];
}

/**
 * Inspection for an actor a hosted actor runs itself, outside the host (pods): the recorder
 * logs it through this at event level. Undefined when nothing observes.
 */
export type ChildObserver = (address: string, o: ObserveOptions) => Inspect | undefined;

/** Both inspections (either may be absent): the recorder's and the inspector's on one actor. */
export function bothInspect(a: Inspect | undefined, b: Inspect | undefined): Inspect | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return (ev: InspectionEvent) => {
    callInspect(a, ev);
    callInspect(b, ev);
  };
}

function callInspect(inspect: Inspect, ev: InspectionEvent): void {
  if (typeof inspect === 'function') inspect(ev);
  else inspect.next?.(ev);
}
