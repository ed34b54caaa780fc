import type { ActorOptions, AnyActorRef, AnyStateMachine, Snapshot } from 'xstate';

/** An XState inspection callback or observer, attached to chosen actors only (inspection costs throughput). */
export type Inspect = NonNullable<ActorOptions<AnyStateMachine>['inspect']>;

/**
 * What the host reports about each actor's life; the recorder logs these and the inspector
 * follows actors across restarts with them. `at` is the host clock's time. A failed actor
 * produces `error` (with the delay chosen) and, that delay later, `restart`. `start` and
 * `restart` carry the new actor and are emitted just before it starts; when `create` throws
 * there is no actor, so only `error` is emitted.
 */
export type LifecycleEvent =
  | { type: 'start'; address: string; at: number; ref: AnyActorRef }
  | { type: 'restart'; address: string; at: number; ref: AnyActorRef; restarts: number }
  | { type: 'error'; address: string; at: number; error: unknown; failures: number; restartInMs: number }
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
