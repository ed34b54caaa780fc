import { hostname } from 'node:os';
import type { AnyActorRef } from 'xstate';
import type { Bus } from '../../bus/bus.ts';
import { KV_ADDRESS } from '../../bus/permissions.ts';
import type { Clock } from '../../base/clock.ts';
import type { TimerFiring } from '../clock/virtual.ts';
import type { ActorHost } from '../host.ts';
import type { Inspect, LifecycleEvent } from '../lifecycle.ts';
import { hasOnFire } from './firing-clock.ts';
import type { LogIdentity, NewEntry } from './format.ts';
import { eventObserver, type ObserveOptions } from './observe.ts';
import { ENTRY, startTurns } from './turns.ts';
import { LogWriter } from './writer.ts';

export interface RecorderOptions {
  bus: Bus;
  /** Its actors' starts, stops, errors and timer firings are logged. */
  host?: ActorHost;
  /** The clock the bus and host run on: a `VirtualClock`, or `firingClock(realClock)` so timer firings are seen. */
  clock: Clock;
  file: string;
  /** Rotate to `FILE.1`, `FILE.2`, … past this many bytes per part. */
  maxBytes?: number;
  /** Keep Secret data and bearer tokens (default: redacted). */
  recordSecrets?: boolean;
  clusterId: string;
  identity?: Partial<LogIdentity>;
  /** The host's seed, to log each actor's seed (`seedFor(seed, address)`). */
  seed?: number;
  /** Buffered entries are written at least this often (real time); default 200 ms. */
  flushMs?: number;
  /**
   * After `stop` checkpoints, deliveries are still logged this long (real time, default
   * 100 ms), so what was sent before the checkpoint — on NATS, still on the wire — is in
   * the log; 0 closes right away.
   */
  drainMs?: number;
}

/** A running recorder. */
export interface Recorder {
  /**
   * Logs one actor at event level through XState inspection: its start, every event it
   * receives from outside the bus, its timer firings, and the named effects it runs (with
   * params) and the events it sends to children. For actors that are not bus actors (pods
   * today); pass the result as `createActor(…, { inspect })`.
   */
  observe(address: string, opts: ObserveOptions): Inspect;
  /**
   * Logs that the clock of the actor at `address` now reads `offsetMs` off the recorded clock
   * (a simulation skews a kubelet's): a replay gives the replayed actor the same offset.
   */
  clockOffset(address: string, offsetMs: number): void;
  /** Entries logged so far. */
  readonly count: number;
  readonly bytes: number;
  flush(): void;
  /**
   * Ends the recording: checkpoints every running actor (its persisted snapshot) at once,
   * goes on logging deliveries for `drainMs` (what was already sent), then flushes, closes
   * the file and detaches from bus, host and clock. Actors may be stopped meanwhile.
   */
  stop(): Promise<void>;
}

/**
 * Records a run into a message log (format.ts): every envelope the bus delivers, every
 * actor lifecycle event of the host, every timer firing, and the pods the host's actors
 * run (through `ActorHost.observeChildren`, at event level). A firing is attributed to the
 * actor that set the timer (each actor's clock is an `ownedClock`); a timer set on a
 * shared clock is attributed to the actor whose chart processed the firing (the recorder
 * watches every actor's snapshot stream, and the bus delivers asynchronously, so no other
 * actor processes anything inside that callback). Firings of the host's restart timers and
 * the bus's request timeouts are logged without an actor.
 */
export function startRecorder(opts: RecorderOptions): Recorder {
  const clock = opts.clock;
  // The writer redacts as it interns (one walk per distinct object): entries go to it as they are.
  const clean = (v: unknown): unknown => v;
  const writer = new LogWriter({
    file: opts.file,
    clusterId: opts.clusterId,
    identity: { name: opts.identity?.name ?? 'embedded', pid: opts.identity?.pid ?? process.pid, hostname: opts.identity?.hostname ?? hostname() },
    startedAt: clock.now(),
    transport: opts.bus.transport,
    secrets: opts.recordSecrets ?? false,
    ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
  });
  /** Synchronous runs: entries appended with no microtask between them share a turn (see LogEntry). */
  const turns = startTurns();
  const write = (e: NewEntry, immutable?: boolean): void => {
    turns.send(ENTRY);
    e.turn = turns.turn;
    writer.append(e, immutable);
  };
  /** The firing in progress, written once its owner is known or it is over; `turn` is its callback's. */
  let firing: { at: number; timer: number; turn: number; actor?: string; event?: string } | null = null;
  const settleFiring = (): void => {
    if (firing === null) return;
    const f = firing;
    firing = null;
    // Numbered with the turn its callback ran in, not the one running when it is written: written
    // at the microtask after the callback, it would join the turn of the bus drain the callback
    // queued, and a replay would feed that drain in the same synchronous run as the firing — before
    // the microtasks the callback queued first (the apiserver's batched watch events), unlike live.
    const e: NewEntry = { kind: 'timer', at: f.at, timer: f.timer, ...(f.actor === undefined ? {} : { actor: f.actor }), ...(f.event ? { event: f.event } : {}) };
    e.turn = f.turn;
    writer.append(e);
  };
  const append = (e: NewEntry, immutable?: boolean): void => {
    settleFiring();
    write(e, immutable);
  };
  const claim = (address: string, event?: string): boolean => {
    if (firing === null || (firing.actor !== undefined && firing.actor !== address)) return false;
    firing.actor = address;
    if (event !== undefined) firing.event = event;
    return true;
  };

  const offs: (() => void)[] = [];
  offs.push(
    opts.bus.tap((env) => {
      // Delivery time: the time the receiver runs at, and what keeps each log in time order (a NATS message arrives after it was sent).
      const at = clock.now();
      const e: NewEntry = { kind: 'msg', at, seq: env.seq, from: env.from, to: env.to, type: env.type, payload: clean(env.payload) };
      if (env.at !== at) e.sentAt = env.at;
      if (env.corr !== undefined) e.corr = env.corr;
      // A simulation's lost message (actors/simulate/faulty-bus.ts): the sender's output, no one's input.
      if ((env as { lost?: boolean }).lost === true) (e as { lost?: true }).lost = true;
      // What the kv sends is what it stores, and what the apiserver sends it to store it never
      // changes after (actors/kv/memory.ts stores it as given): objects no one changes once written.
      append(e, env.from === KV_ADDRESS || (env.to === KV_ADDRESS && env.type === 'kv.txn'));
    }),
  );
  if (hasOnFire(clock)) {
    offs.push(
      clock.onFire((f: TimerFiring) => {
        settleFiring();
        // The firing's callback runs right after this hook: the same synchronous run.
        turns.send(ENTRY);
        firing = { at: f.at, timer: f.seq, turn: turns.turn, ...(f.owner === undefined ? {} : { actor: f.owner }) };
        // A virtual clock may fire the next timer in the same turn; otherwise the firing ends with this turn.
        queueMicrotask(settleFiring);
      }),
    );
  }
  /** Actors to checkpoint when the recording ends: the host's, and those observed at event level. */
  const observed = new Map<string, AnyActorRef>();
  const sink = { append, claim, clean, now: () => clock.now(), seed: opts.seed, track: (address: string, ref: AnyActorRef) => void observed.set(address, ref) };
  const checkpoint = (): void => {
    const refs = new Map(observed);
    for (const address of opts.host?.list() ?? []) {
      const ref = opts.host!.get(address)?.ref;
      if (ref) refs.set(address, ref);
    }
    for (const [address, ref] of refs) {
      if (ref.getSnapshot().status !== 'active') continue;
      append({ kind: 'snapshot', at: clock.now(), actor: address, snapshot: clean(ref.getPersistedSnapshot()) });
    }
  };
  const subs = new Map<string, { unsubscribe(): void }>();
  const follow = (address: string, ref: AnyActorRef): void => {
    subs.get(address)?.unsubscribe();
    subs.set(address, ref.subscribe({ next: () => claim(address), error: () => {} }));
  };
  if (opts.host) {
    offs.push(
      opts.host.onLifecycle((e: LifecycleEvent) => {
        // Appending settles a firing in progress first: one that caused a lifecycle event is the host's own (a restart) and stays unowned.
        append(lifecycleEntry(e, clean));
        if (e.type === 'start' || e.type === 'restart') follow(e.address, e.ref);
        if (e.type === 'stop' || e.type === 'error') subs.get(e.address)?.unsubscribe(), subs.delete(e.address);
      }),
    );
  }
  if (opts.host) offs.push(opts.host.observeChildren((address, o) => eventObserver(address, o, sink)));
  const timer = setInterval(() => writer.flush(), opts.flushMs ?? 200);
  timer.unref();
  let stopped = false;
  let closed = Promise.resolve();
  return {
    observe: (address, o) => eventObserver(address, o, sink),
    clockOffset: (address, offset) => append({ kind: 'clock', at: clock.now(), actor: address, offset }),
    get count() {
      return writer.count;
    },
    get bytes() {
      return writer.bytesWritten;
    },
    flush: () => writer.flush(),
    async stop() {
      if (stopped) return closed;
      stopped = true;
      checkpoint();
      closed = new Promise<void>((resolve) => (opts.drainMs === 0 ? resolve() : setTimeout(resolve, opts.drainMs ?? 100))).then(close);
      return closed;
    },
  };
  function close(): void {
    settleFiring();
    clearInterval(timer);
    for (const off of offs) off();
    for (const s of subs.values()) s.unsubscribe();
    writer.close();
  }
}

function lifecycleEntry(e: LifecycleEvent, clean: (v: unknown) => unknown): NewEntry {
  switch (e.type) {
    case 'start':
    case 'restart': {
      const ref = e.ref as AnyActorRef & { logic?: { id?: string }; options?: { input?: unknown } };
      const entry: NewEntry = { kind: 'start', at: e.at, address: e.address, machine: ref.logic?.id ?? ref.id, seed: e.seed };
      // What the replay rebuilds the actor from: its config when it has one, else its machine's input.
      const input = e.config ?? ref.options?.input;
      if (input !== undefined) entry.input = clean(input);
      if (e.type === 'restart') entry.restarts = e.restarts;
      return entry;
    }
    case 'error':
      return { kind: 'error', at: e.at, address: e.address, error: e.error instanceof Error ? e.error.message : String(e.error), restartInMs: e.restartInMs };
    case 'stop':
      return { kind: 'stop', at: e.at, address: e.address, reason: e.reason };
    case 'input':
      return { kind: 'event', at: e.at, actor: e.address, event: clean(e.event) as { type: string } };
  }
}
