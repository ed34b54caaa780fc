import type { AnyActorRef, AnyStateMachine, EventObject } from 'xstate';
import type { Port } from '../bus/bus.ts';
import type { Envelope } from '../base/envelope.ts';
import type { Clock } from '../base/clock.ts';
import type { ChildObserver } from './lifecycle.ts';
import type { MetricsRegistry } from '../base/metrics.ts';

/**
 * What an actor is given by the host: its bus port (bound to its address), the clock, and
 * seeded sources of randomness and ids, and the metrics registry. Nothing else in an actor may read time or chance.
 */
export interface ActorContext {
  readonly address: string;
  readonly port: Port;
  readonly clock: Clock;
  /** Seeded uniform [0, 1). */
  readonly random: () => number;
  /** Seeded RFC 4122 version-4-shaped ids (Kubernetes uids). */
  readonly newId: () => string;
  readonly log: Logger;
  /** The cluster's metrics registry (the host's), served on the apiserver's /metrics when the front runs in this process. */
  readonly metrics: MetricsRegistry;
  /** Inspection for actors this actor runs outside the host (its pods); see `ActorHost.observeChildren`. */
  readonly observe?: ChildObserver;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * How to run one actor. `create` builds the machine with its effects provided (actions and
 * actors implemented on top of `ctx`) and is called again on every restart. A machine may be
 * shared by many actors (one kubelet chart for every node): its actions then find each actor's
 * effects by `self`, which `bind` is given before the actor starts.
 *
 * Every envelope delivered to the address is sent to the actor as an event: by default the
 * envelope itself (it has a `type`), so charts read `event.payload`, `event.from` and
 * `event.corr`. `toEvent` may translate or drop (return null) envelopes.
 */
export interface ActorDef {
  address: string;
  create(ctx: ActorContext): { machine: AnyStateMachine; input?: unknown; bind?(actor: AnyActorRef): void };
  toEvent?(env: Envelope): EventObject | null;
  /** Seed of this actor's random and id sources; default derived from the host seed and the address. */
  seed?: number;
  /** Requests the actor may hold unanswered before the bus answers 429 for it (bus/inbox.ts; default the bus's). */
  inboxLimit?: number;
  /**
   * The plain-data options the actor was built from (no functions). A recording logs them
   * with each start, and `replay --verify` rebuilds the actor from them (ReplayableActor).
   */
  config?: unknown;
  /** Called after the actor (re)starts, e.g. to subscribe to topics or start watches. */
  onStart?(ctx: ActorContext): void;
  /** Called by `ActorHost.stop` before the chart stops, e.g. to end watches and timers (a replay calls it at the recorded stop). */
  onStop?(ctx: ActorContext): void;
}
