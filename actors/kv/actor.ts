import type { AnyActorRef } from 'xstate';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import type { PayloadOf, ReplyOf, RequestType } from '../../bus/catalogue/index.ts';
import type { Envelope } from '../../base/envelope.ts';
import { KV_ADDRESS } from '../../bus/permissions.ts';
import { badRequest, fail, isServiceUnavailable, ok } from '../../base/status.ts';
import { kvMachine, watchKey, type KvChartEvent, type KvContext } from '../../machines/kv.ts';
import type { KvBackend, WatchHandle } from './backend.ts';
import { kvStatus } from './errors.ts';

export interface KvActorOptions {
  /** How often watcher addresses are probed with sys.ping (default: the chart's 30 s). */
  probeIntervalMs?: number;
  /** How long a probe waits; only a 503 (no actor at the address) counts as gone. Default 5000. */
  probeTimeoutMs?: number;
}

type Actions = NonNullable<Parameters<typeof kvMachine.provide>[0]['actions']>;

/**
 * The kv actor at address `kv`: the chart in machines/kv.ts with its effects bound to
 * `backend` and the bus. Requests are answered with their Result (errors as Status: 410
 * Expired, 400, 503, 500); watches deliver `kv.events` batches to the sender's address in
 * revision order and `kv.watch-ended` when the store ends one. The caller owns `backend`
 * and closes it after stopping the actor; a graceful stop is the `stop` event, which tells
 * every watcher its watch ended. A restarted incarnation ends the previous one's watches
 * the same way, so watchers re-watch from their last revision.
 */
export function kvActor(backend: KvBackend, opts: KvActorOptions = {}): ActorDef {
  let previous: KvEffects | null = null;
  return {
    address: KV_ADDRESS,
    create(ctx) {
      previous?.dispose(ctx, 'kv actor restarted');
      const fx = (previous = new KvEffects(backend, ctx, opts.probeTimeoutMs ?? 5000));
      const delays = opts.probeIntervalMs === undefined ? {} : { probeInterval: opts.probeIntervalMs };
      // The backend's name is the start input so that a recording says which store it ran on (replay answers with it).
      return { machine: kvMachine.provide({ actions: fx.actions(), delays }), input: { backend: backend.name } };
    },
  };
}

/** One incarnation's effects: the backend watch handles it opened, keyed like the chart's watches. */
class KvEffects {
  readonly #handles = new Map<string, { handle: WatchHandle; from: string; id: string }>();
  #watchingSelf = false;

  constructor(
    private readonly backend: KvBackend,
    private readonly ctx: ActorContext,
    private readonly probeTimeoutMs: number,
  ) {}

  actions(): Actions {
    const kv = this.backend;
    return {
      get: ({ event }) => this.#answer<'kv.get'>(event, (p) => kv.get(p.key, p.revision)),
      range: ({ event }) =>
        this.#answer<'kv.range'>(event, (p) => kv.range(p.prefix, { limit: p.limit, continue: p.continue, revision: p.revision })),
      txn: ({ event }) => this.#answer<'kv.txn'>(event, (p) => kv.txn(p.ops)),
      compact: ({ event }) => this.#answer<'kv.compact'>(event, (p) => kv.compact(p.revision)),
      status: ({ event }) =>
        this.#answer<'kv.status'>(event, async () => ({
          revision: kv.revision(),
          compactRevision: kv.compactRevision(),
          keys: await kv.keyCount(),
          backend: kv.name,
        })),
      watch: ({ event, self }) => this.#watch(event, self),
      refuseWatch: ({ event }) => {
        const env = event as Envelope<PayloadOf<'kv.watch'>>;
        this.ctx.port.reply(env, fail(badRequest(`watch id "${env.payload.id}" is already in use by "${env.from}"`)));
      },
      unwatch: ({ event }) => {
        if (event.type !== 'kv.unwatch') return;
        this.#cancel(watchKey(event.from, event.payload.id));
      },
      endWatch: ({ event }) => {
        if (event.type !== 'watchEnded') return;
        const w = this.#handles.get(event.key);
        this.#cancel(event.key);
        if (w && event.notify) this.ctx.port.send(w.from, 'kv.watch-ended', { id: w.id, reason: event.reason, code: event.code });
      },
      dropWatcher: ({ context, event }) => {
        if (event.type !== 'watcherGone') return;
        for (const w of Object.values(context.watches)) if (w.from === event.address) this.#cancel(w.key);
      },
      probeWatchers: ({ context, self }) => this.#probe(context, self),
      endAllWatches: () => this.dispose(this.ctx, 'kv actor stopped'),
    };
  }

  /** Ends every watch this incarnation opened, telling each watcher. */
  dispose(ctx: ActorContext, reason: string): void {
    for (const [key, w] of [...this.#handles]) {
      this.#cancel(key);
      ctx.port.send(w.from, 'kv.watch-ended', { id: w.id, reason, code: 503 });
    }
  }

  #answer<T extends RequestType>(event: KvChartEvent, run: (p: PayloadOf<T>) => Promise<ReplyOf<T>>): void {
    const env = event as Envelope<PayloadOf<T>>;
    const port = this.ctx.port;
    new Promise<ReplyOf<T>>((resolve) => resolve(run(env.payload))).then(
      (value) => port.reply<T>(env, ok(value)),
      (err: unknown) => port.reply<T>(env, fail(kvStatus(err))),
    );
  }

  #watch(event: KvChartEvent, self: AnyActorRef): void {
    const env = event as Envelope<PayloadOf<'kv.watch'>>;
    const { id, prefix, afterRevision } = env.payload;
    const key = watchKey(env.from, id);
    const port = this.ctx.port;
    this.#followStop(self);
    try {
      const handle = this.backend.watch(prefix, afterRevision, {
        events: (events) => port.send(env.from, 'kv.events', { id, events }),
        end: (err) => {
          const s = kvStatus(err);
          self.send({ type: 'watchEnded', key, code: s.code, reason: s.message, notify: true });
        },
      });
      this.#handles.set(key, { handle, from: env.from, id });
      port.reply<'kv.watch'>(env, ok({ id, revision: this.backend.revision() }));
    } catch (err) {
      const s = kvStatus(err);
      port.reply<'kv.watch'>(env, fail(s));
      self.send({ type: 'watchEnded', key, code: s.code, reason: s.message, notify: false });
    }
  }

  #cancel(key: string): void {
    this.#handles.get(key)?.handle.cancel();
    this.#handles.delete(key);
  }

  /** An actor stopped by its host runs no exit actions; its watches must still stop feeding the bus. */
  #followStop(self: AnyActorRef): void {
    if (this.#watchingSelf) return;
    this.#watchingSelf = true;
    const drop = (): void => {
      for (const key of [...this.#handles.keys()]) this.#cancel(key);
    };
    self.subscribe({ complete: drop, error: drop });
  }

  #probe(context: KvContext, self: AnyActorRef): void {
    const addresses = new Set(Object.values(context.watches).map((w) => w.from));
    for (const address of addresses) {
      void this.ctx.port.request(address, 'sys.ping', { n: 0 }, { timeoutMs: this.probeTimeoutMs }).then((r) => {
        if (!r.ok && isServiceUnavailable(r) && self.getSnapshot().status === 'active') self.send({ type: 'watcherGone', address });
      });
    }
  }
}
