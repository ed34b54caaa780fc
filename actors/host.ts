import { createActor, type AnyActorRef, type Subscription } from 'xstate';
// XState's transitions without the work a targetless one does not need (see there).
import './xstate-fast-paths.ts';
import type { Bus } from '../bus/bus.ts';
import type { Envelope } from '../base/envelope.ts';
import { Listeners } from '../bus/listeners.ts';
import { fail, internalError, status } from '../base/status.ts';
import type { ActorContext, ActorDef, Logger } from './actor-def.ts';
import { ownedClock, type Clock, type TimerId } from '../base/clock.ts';
import { bothInspect, type ChildObserver, type HostedActor, type Inspect, type LifecycleEvent } from './lifecycle.ts';
import { consoleLogger, FieldLogger } from './logger.ts';
import { answerPing } from './ping.ts';
import { seededIds, seededRandom, seedFor } from './random.ts';
import { MetricsRegistry } from '../base/metrics.ts';
import { backoffDelay, restartPolicy, type RestartPolicy } from './supervisor.ts';

export interface ActorHostOptions {
  bus: Bus;
  clock: Clock;
  /** Seeds every actor's random and id sources (see `seedFor`). */
  seed: number;
  logger?: Logger;
  restart?: Partial<RestartPolicy>;
  /** Chooses the actors to inspect; asked at every (re)start, so an inspector can follow an address across restarts. */
  inspectFor?: (address: string) => Inspect | undefined;
  /** The registry every actor of this host counts in (ActorContext.metrics); a fresh one by default, one per cluster. */
  metrics?: MetricsRegistry;
  /** The clock an actor is given, from the host's (default: the host's, owned by the address); a simulation skews a kubelet's. */
  clockFor?: (address: string, clock: Clock) => Clock;
}

export interface SpawnOptions {
  /** Inspects this actor (takes precedence over the host's `inspectFor`). */
  inspect?: Inspect;
}

/** Per-address bookkeeping; a class so that 10k actors share one hidden shape. */
class Slot {
  actor: AnyActorRef | undefined = undefined;
  sub: Subscription | undefined = undefined;
  up = false;
  restarts = 0;
  failures = 0;
  dropped = 0;
  startedAt = 0;
  restartAt = 0;
  timer: TimerId | undefined = undefined;
  /** The envelope being handed to the actor, so a failure it causes can answer it. */
  delivering: Envelope | undefined = undefined;
  constructor(
    readonly def: ActorDef,
    readonly ctx: ActorContext,
    readonly inspect: Inspect | undefined,
    readonly seed: number,
  ) {}
}

/**
 * Runs XState machines as root actors bound to bus addresses — one root per address,
 * never children of one parent (XState's spawnChild is quadratic) — and supervises them.
 *
 * Every envelope delivered to an address is sent to its actor as an event (the envelope,
 * or `def.toEvent(env)`; null drops it), except a `sys.ping` request, which the host answers
 * itself (`answerPing`). Delivery is synchronous: XState processes the
 * event before the bus delivers the next envelope.
 *
 * Supervision: an actor fails when its snapshot turns to status 'error' (a throwing action,
 * guard or entry, an unhandled child error) or when `create`, `toEvent` or `onStart`
 * throws. The host logs the error with the address, emits `error`, and restarts it by
 * calling `create(ctx)` again after an exponential backoff on the injected clock (default
 * 1 s doubling to 30 s, reset after 60 s of running without failure). The process never
 * goes down, and the context is kept: the port stays registered and the random and id
 * streams continue, so a restart never repeats ids.
 *
 * While an actor is down, nothing is queued: a request is answered at once with 503
 * ServiceUnavailable (`details.retryAfterSeconds` = time left until the restart), and
 * one-way and topic messages are dropped and counted. A fresh incarnation has none of the
 * old state anyway and must resynchronise level-triggered (`onStart`: re-list, re-watch),
 * as a restarted Kubernetes component does; and replaying queued messages would feed it
 * the very message that crashed it. The request whose delivery made the actor fail is
 * answered 500 InternalError; requests the failed incarnation was holding are not answered
 * (their requesters time out with 504).
 */
export class ActorHost {
  readonly #bus: Bus;
  readonly #clock: Clock;
  readonly #seed: number;
  readonly #log: Logger;
  readonly #policy: RestartPolicy;
  readonly #inspectFor: ((address: string) => Inspect | undefined) | undefined;
  readonly #clockFor: ((address: string, clock: Clock) => Clock) | undefined;
  /** The cluster's metrics: what its actors count, what the apiserver's front serves on /metrics. */
  readonly metrics: MetricsRegistry;
  readonly #slots = new Map<string, Slot>();
  readonly #lifecycle = new Listeners<[LifecycleEvent]>();
  #observeChildren: ChildObserver | undefined;

  constructor(opts: ActorHostOptions) {
    this.#bus = opts.bus;
    this.#clock = opts.clock;
    this.#seed = opts.seed;
    this.#log = opts.logger ?? consoleLogger;
    this.#policy = restartPolicy(opts.restart);
    this.#inspectFor = opts.inspectFor;
    this.#clockFor = opts.clockFor;
    this.metrics = opts.metrics ?? new MetricsRegistry();
  }

  /**
   * Registers `def.address` on the bus, builds the actor's context and starts it. Throws if
   * the address is taken. The actor's seed defaults to `seedFor(host seed, address)`: an
   * address spawned again after `stop` gets the same streams again unless `def.seed` differs.
   */
  spawn(def: ActorDef, opts: SpawnOptions = {}): void {
    const { address } = def;
    if (this.#slots.has(address)) throw new Error(`actor host: address "${address}" is already running`);
    let slot: Slot | undefined;
    const port = this.#bus.register(address, (env) => this.#deliver(slot!, env), def.inboxLimit === undefined ? undefined : { inboxLimit: def.inboxLimit });
    const seed = def.seed ?? seedFor(this.#seed, address);
    const ctx: ActorContext = {
      address,
      port,
      clock: ownedClock(this.#clockFor?.(address, this.#clock) ?? this.#clock, address),
      random: seededRandom(seed),
      newId: seededIds(seed ^ 0x5bd1e995),
      log: new FieldLogger(this.#log, { address }),
      metrics: this.metrics,
      // The recorder (observeChildren) and the inspector (inspectFor) may both follow a pod.
      observe: (child, o) => bothInspect(this.#observeChildren?.(child, o), this.#inspectFor?.(child)),
    };
    slot = new Slot(def, ctx, opts.inspect, seed);
    this.#slots.set(address, slot);
    this.#start(slot, false);
  }

  /** Routes `ActorContext.observe` of every actor (the recorder logs pods through it); returns the function that detaches it. */
  observeChildren(observer: ChildObserver): () => void {
    this.#observeChildren = observer;
    return () => {
      if (this.#observeChildren === observer) this.#observeChildren = undefined;
    };
  }

  /**
   * Hands `event` to the running actor at `address` from outside the bus (an operator's
   * command: stop a kubelet, shut the apiserver down); false if none is running. Events
   * sent this way are reported (`input`), so a recording replays them.
   */
  tell(address: string, event: { type: string; [k: string]: unknown }): boolean {
    const slot = this.#slots.get(address);
    if (slot === undefined || !slot.up || slot.actor === undefined) return false;
    this.#emit({ type: 'input', address, at: this.#clock.now(), event });
    slot.actor.send(event);
    return true;
  }

  /**
   * Fails the running actor at `address` as if its chart had thrown `error` (a simulation's
   * crash): logged, reported (`error`) and restarted after the backoff like any failure.
   * False if no actor is running there.
   */
  crash(address: string, error: Error): boolean {
    const slot = this.#slots.get(address);
    if (slot === undefined || !slot.up) return false;
    this.#fail(slot, error);
    return true;
  }

  /** Stops the actor, cancels a pending restart and closes its port; false if no actor holds the address. */
  stop(address: string): boolean {
    const slot = this.#slots.get(address);
    if (slot === undefined) return false;
    this.#remove(slot, 'stopped');
    return true;
  }

  /** Clean shutdown: stops every actor and closes every port (requests still queued to them get 503 from the bus). */
  stopAll(): void {
    for (const slot of [...this.#slots.values()]) this.#remove(slot, 'stopped');
  }

  get(address: string): HostedActor | undefined {
    const s = this.#slots.get(address);
    if (s === undefined) return undefined;
    return {
      address,
      state: s.up ? 'running' : 'restarting',
      ref: s.actor,
      snapshot: s.actor?.getSnapshot(),
      restarts: s.restarts,
      failures: s.failures,
      dropped: s.dropped,
      restartAt: s.up ? 0 : s.restartAt,
    };
  }

  /** Addresses held by this host, in spawn order. */
  list(): string[] {
    return [...this.#slots.keys()];
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Observes start, restart, error and stop of every actor; returns the function that removes the listener. */
  onLifecycle(listener: (e: LifecycleEvent) => void): () => void {
    return this.#lifecycle.add(listener);
  }

  /** A throwing listener must not stop supervision (a restart not scheduled would leave the actor down for good). */
  #emit(e: LifecycleEvent): void {
    try {
      this.#lifecycle.emit(e);
    } catch (err) {
      this.#log.error('actor host: lifecycle listener threw', { address: e.address, event: e.type, error: err });
    }
  }

  #deliver(slot: Slot, env: Envelope): void {
    if (!slot.up) return this.#refuse(slot, env);
    if (answerPing(slot.ctx.port, env)) return;
    const toEvent = slot.def.toEvent;
    slot.delivering = env;
    try {
      const event = toEvent === undefined ? env : toEvent(env);
      if (event !== null) slot.actor!.send(event);
    } catch (err) {
      this.#fail(slot, err);
    }
    slot.delivering = undefined;
  }

  #refuse(slot: Slot, env: Envelope): void {
    slot.dropped++;
    if (env.corr === undefined) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((slot.restartAt - this.#clock.now()) / 1000));
    const msg = `actor "${slot.ctx.address}" is restarting after a failure`;
    slot.ctx.port.reply(env, fail(status(503, 'ServiceUnavailable', msg, { retryAfterSeconds })));
  }

  #start(slot: Slot, restart: boolean): void {
    const { def, ctx } = slot;
    slot.timer = undefined;
    slot.up = true;
    slot.startedAt = this.#clock.now();
    if (restart) slot.restarts++;
    let actor: AnyActorRef;
    try {
      const { machine, input, bind } = def.create(ctx);
      actor = createActor(machine, {
        input,
        id: ctx.address,
        clock: ctx.clock,
        // XState's `log()` actions go to the actor's logger, not to console.log.
        logger: (...args: unknown[]) => ctx.log.info('log', { args }),
        inspect: slot.inspect ?? this.#inspectFor?.(ctx.address),
      });
      bind?.(actor);
    } catch (err) {
      return this.#fail(slot, err);
    }
    slot.actor = actor;
    slot.sub = actor.subscribe({ error: (err) => this.#fail(slot, err), complete: () => this.#done(slot) });
    const at = slot.startedAt;
    this.#emit(
      restart
        ? { type: 'restart', address: ctx.address, at, ref: actor, restarts: slot.restarts, seed: slot.seed, ...config(def) }
        : { type: 'start', address: ctx.address, at, ref: actor, seed: slot.seed, ...config(def) },
    );
    actor.start();
    if (!slot.up || slot.actor !== actor || def.onStart === undefined) return;
    try {
      def.onStart(ctx);
    } catch (err) {
      this.#fail(slot, err);
    }
  }

  #fail(slot: Slot, err: unknown): void {
    if (!slot.up) return;
    slot.up = false;
    slot.sub?.unsubscribe();
    slot.sub = undefined;
    // A throwing toEvent/onStart leaves the chart itself running: stop it before replacing it.
    slot.actor?.stop();
    const { address, log, port } = slot.ctx;
    const now = this.#clock.now();
    if (now - slot.startedAt >= this.#policy.resetAfterMs) slot.failures = 0;
    const delay = backoffDelay(this.#policy, slot.failures++);
    slot.restartAt = now + delay;
    log.error('actor failed; restarting', { error: err, failures: slot.failures, restartInMs: delay });
    this.#emit({ type: 'error', address, at: now, error: err, failures: slot.failures, restartInMs: delay });
    const req = slot.delivering;
    if (req?.corr !== undefined) port.reply(req, fail(internalError(`actor "${address}" failed: ${describe(err)}`)));
    // Owned by the host, no actor: a recording must not credit the firing to the first actor
    // whose chart acts in it (the restarted one's subscriptions wake others), which has no such timer.
    slot.timer = this.#clock.setTimeout(() => this.#start(slot, true), delay, HOST_TIMER_OWNER);
  }

  #done(slot: Slot): void {
    if (slot.up) this.#remove(slot, 'done');
  }

  #remove(slot: Slot, reason: 'stopped' | 'done'): void {
    const { address, port } = slot.ctx;
    if (reason === 'stopped' && slot.up && slot.def.onStop) {
      try {
        slot.def.onStop(slot.ctx);
      } catch (err) {
        slot.ctx.log.error('onStop failed', { error: describe(err) });
      }
    }
    slot.up = false;
    if (slot.timer !== undefined) this.#clock.clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.sub?.unsubscribe();
    slot.sub = undefined;
    slot.actor?.stop();
    port.close();
    this.#slots.delete(address);
    this.#emit({ type: 'stop', address, at: this.#clock.now(), reason });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The owner of the host's own timers (restarts after a failure): not an actor address. */
export const HOST_TIMER_OWNER = 'host';

const config = (def: ActorDef): { config?: unknown } => (def.config === undefined ? {} : { config: def.config });
