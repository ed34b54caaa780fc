import type { AnyActorRef, AnyStateMachine, EventObject } from 'xstate';
import type { Envelope } from '../../base/envelope.ts';
import type { ActorContext } from '../actor-def.ts';

/**
 * How `replay --verify` and `replay --at` rebuild one kind of actor from the current code.
 *
 * Contract: `build` returns the actor's machine with every effect bound to `ctx` and to
 * nothing else — `ctx.port` is a capturing port (its sends are the outputs compared with
 * the log, its requests resolve with the recorded replies), `ctx.clock` is the replay
 * clock (timers fire where the log says they fired), `ctx.random`/`ctx.newId` are seeded
 * with the recorded seed. Effects whose results come from the outside world must either
 * be deterministic functions of the actor's inputs (the kv actor on a fresh memory store)
 * or be stubbed, their results arriving as recorded `event` entries (the pod's runtime).
 *
 * A component registers one entry per machine name, the name its `start` entries carry
 * (the machine's id).
 */
export interface ReplayableActor {
  /** The machine name logged in `start` entries. */
  name: string;
  /**
   * A fresh incarnation; called again for every recorded restart. `input` is what the start
   * entry recorded (the actor's `ActorDef.config`, else its machine's input; redacted if
   * the log was).
   */
  build(ctx: ActorContext, input: unknown, env: ReplayEnv): ReplayBuild;
  /**
   * Why an actor recorded with `input` cannot be verified (it is then skipped with this
   * reason, its recorded outputs still feed the others); undefined when it can.
   */
  unverifiable?(input: unknown): string | undefined;
  /**
   * Requests whose answers the actor reads from the host, outside the log (a kubelet's usage:
   * /proc of a process pod, the sim's clock): the replayed actor is not handed them, and their
   * recorded answers are not compared; the requesters still get the recorded answers.
   */
  hostAnswered?: readonly string[];
  /**
   * Event-level actors another actor hears (`ReplayEnv.onOutputOf`: a kubelet its pods): the
   * event types that hearer hands it from outside the bus (a pod's `delete` and `evict`), which
   * the hearer's rebuild reports with `ReplayEnv.handed`. The outputs after such a recorded
   * event, and after the actor's start, are heard once the hearer made the call (see hearing.ts).
   */
  hearerCalls?: readonly string[];
  /** Event-level actors: the effect actions whose runs are outputs (compared with `out` entries). */
  effects?: readonly string[];
  /**
   * The machine of an actor this one shares in-process state with (a controller and the
   * scheduler read the caches of the shared informer factory, `informers`, which calls their
   * handlers). The handlers' clocks move with the factory's inputs, and an actor whose log has
   * no such actor is skipped (unverifiable).
   */
  needs?: string;
}

/** What the replay lends a rebuilt actor besides its context. */
export interface ReplayEnv {
  /** The replayed actor (effects send it events from outside a delivery: informer callbacks, answers). */
  self(): AnyActorRef | undefined;
  /** Calls `fn` with each `out` entry the actor at `address` records from now on (a kubelet hears its pods' reports). */
  onOutputOf(address: string, fn: (out: { action?: string; to?: string; data: unknown }) => void): void;
  /** This actor just handed the actor at `address` an event of `type` from outside the bus (one of its `hearerCalls`: a kubelet deletes a pod). */
  handed(address: string, type: string): void;
  /** The replay run's one object named `name` (made by `make` on first use): what a live process shares in memory, e.g. its informer factory. */
  shared<T>(name: string, make: () => T): T;
}

export interface ReplayBuild {
  machine: AnyStateMachine;
  input?: unknown;
  /** As what `ActorDef.create` returns: given the actor before it starts. */
  bind?(actor: AnyActorRef): void;
  /** As `ActorDef.toEvent`. */
  toEvent?(env: Envelope): EventObject | null;
  /** As `ActorDef.onStart` (subscriptions, watches). */
  onStart?(ctx: ActorContext): void;
  /** As `ActorDef.onStop`, called at a recorded stop by `ActorHost.stop`. */
  onStop?(ctx: ActorContext): void;
}

/** The table of replayable actors by machine name; fails fast on a duplicate name. */
export class ReplayRegistry {
  readonly #byName = new Map<string, ReplayableActor>();

  constructor(entries: readonly ReplayableActor[] = []) {
    for (const e of entries) this.register(e);
  }

  register(entry: ReplayableActor): this {
    if (this.#byName.has(entry.name)) throw new Error(`replay registry: machine "${entry.name}" is already registered`);
    this.#byName.set(entry.name, entry);
    return this;
  }

  get(name: string): ReplayableActor | undefined {
    return this.#byName.get(name);
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }
}
