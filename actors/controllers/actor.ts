/**
 * The controller actor at `controller.<name>`: the reconcile chart with `sync` bound to one
 * incarnation of the controller. Its informers are the process's shared ones (the factory at
 * `informers`): their handlers, subscribed on start, send `enqueue` events to the chart, and
 * `synced` follows once every one has listed. A restart unsubscribes the old incarnation's
 * handlers and builds everything afresh; the new handlers get the shared caches as adds.
 */
import { fromPromise, type AnyActorRef } from 'xstate';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import { EventRecorder } from '../events.ts';
import { keyOf } from '../informer.ts';
import type { Indexable } from '../informers/indexer.ts';
import type { SharedInformerFactory } from '../informers/factory.ts';
import type { ObjectHandlers, SharedInformer } from '../informers/shared.ts';
import { reconcileMachine, type ReconcileEvent } from '../../machines/controllers/reconcile.ts';
import { ApiClient, clientPort, isNotFound, limitsOf, TerminalError, type ClientLimits } from '../client/index.ts';
import { WorkqueueMetrics } from './workqueue-metrics.ts';
import { controllerAddress, type Controller, type ControllerContext, type ControllerDefinition, type InformerRequest } from './framework.ts';

/** What specs may look at in the running incarnation. */
export interface ControllerHandle {
  readonly name: string;
  readonly controller: Controller;
}

interface Subscription {
  informer: SharedInformer<Indexable>;
  handlers: ObjectHandlers<Indexable>;
}

class Incarnation {
  ref: AnyActorRef | null = null;
  /** The informers asked for in `create`, subscribed on start. */
  readonly wanted: Subscription[] = [];
  readonly #unsubscribe: (() => void)[] = [];
  /** Events sent before the chart attached (none in practice; kept so nothing is lost). */
  readonly early: ReconcileEvent[] = [];
  controller: Controller | null = null;
  stopped = false;
  #subscribed = false;

  /** Adds an informer's handlers: on start, or at once when asked for later (a kind registered while running). */
  want(sub: Subscription): void {
    this.wanted.push(sub);
    if (this.#subscribed && !this.stopped) this.#unsubscribe.push(sub.informer.subscribe(sub.handlers));
  }

  /** Keys a planted bug stopped syncing (PLANTED_SKIP_REQUEUE). */
  readonly stuck = new Set<string>();

  send(e: ReconcileEvent): void {
    if (this.stopped) return;
    if ('key' in e && this.stuck.has(e.key)) return;
    if (this.ref) this.ref.send(e);
    else this.early.push(e);
  }
  attach(ref: AnyActorRef): void {
    this.ref = ref;
    for (const e of this.early.splice(0)) ref.send(e);
  }
  /** Subscribes every handler set; resolves once every informer has listed. */
  subscribe(): Promise<unknown> {
    this.#subscribed = true;
    for (const w of this.wanted) this.#unsubscribe.push(w.informer.subscribe(w.handlers));
    return Promise.all(this.wanted.map((w) => w.informer.whenSynced()));
  }
  stop(): void {
    this.stopped = true;
    for (const u of this.#unsubscribe.splice(0)) u();
    this.controller?.stop?.();
  }
}

function informerOf(factory: SharedInformerFactory, inc: Incarnation, skipDeletes: boolean) {
  return <T extends Indexable>(req: InformerRequest<T>): SharedInformer<T> => {
    const informer = factory.informer<T>(req);
    const h = req.handlers ?? {};
    // A stopped incarnation's handlers stay quiet even if a delivery is already under way.
    const handlers: ObjectHandlers<T> = {
      add: (obj) => void (inc.stopped || h.add?.(obj)),
      update: (old, cur) => void (inc.stopped || (skipDeletes && (cur as { metadata?: { deletionTimestamp?: string } }).metadata?.deletionTimestamp) || h.update?.(old, cur)),
      delete: (obj) => void (inc.stopped || skipDeletes || h.delete?.(obj)),
    };
    inc.want({ informer, handlers } as unknown as Subscription);
    return informer;
  };
}

/**
 * Turns a NotFound rejection into success (the object is gone: nothing to do) and a returned
 * TerminalError into a rejection the chart does not retry.
 */
async function runSync(controller: Controller, key: string) {
  let r: Awaited<ReturnType<Controller['sync']>>;
  try {
    r = await controller.sync(key);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  if (r instanceof TerminalError) throw r;
  return r;
}

/**
 * A test-only controller option: a key whose sync failed is never synced again — neither
 * retried nor resynced when its objects change (a workqueue that misses Done on the error
 * path, so the key stays "processing" for good) — the bug `kubeactor simulate --plant
 * skip-requeue` plants so a spec can show the simulator finds it. Never set it otherwise.
 */
export const PLANTED_SKIP_REQUEUE = 'testOnlySkipRequeue';

/**
 * A test-only controller option: the controller's informers skip deletions (the delete event,
 * and the update that marks an object deleted), so a pod evicted or deleted causes no resync — the Sieve-style bug `kubeactor
 * simulate --plant skip-delete-resync` plants. Never set it otherwise.
 */
export const PLANTED_SKIP_DELETE_RESYNC = 'testOnlySkipDeleteResync';

export interface ControllerActorOptions {
  /** The process's shared informer factory (actors/informers: `informerFactory(host)`). */
  factory: SharedInformerFactory;
  /** The controller's own options (ControllerContext.options). */
  options?: Readonly<Record<string, unknown>>;
  /** The controller's own client's limits (kube-controller-manager's --kube-api-qps/--kube-api-burst; default 20 and 30). */
  clientLimits?: Partial<ClientLimits>;
  onHandle?: (h: ControllerHandle) => void;
}

/** What a recording logs about a controller actor: which controller, with which options. */
export interface ControllerConfig {
  controller: string;
  options: Readonly<Record<string, unknown>>;
  /** Present when not the defaults, so a replay throttles as the run did. */
  clientLimits?: Partial<ClientLimits>;
}

export function controllerActor(def: ControllerDefinition, opts: ControllerActorOptions): ActorDef {
  let inc: Incarnation | null = null;
  let queue: WorkqueueMetrics | undefined;
  return {
    address: controllerAddress(def.name),
    config: { controller: def.name, options: opts.options ?? {}, ...(opts.clientLimits ? { clientLimits: opts.clientLimits } : {}) } satisfies ControllerConfig,
    toEvent() {
      return null;
    },
    create(ctx: ActorContext) {
      inc?.stop();
      const current = (inc = new Incarnation());
      // Its own client and bucket, as kube-controller-manager's client builder gives each controller its own clientset.
      const limits = limitsOf('controller-manager', opts.clientLimits);
      const scale = def.clientScale ?? { qps: 1, burst: 1 };
      const port = clientPort(ctx, { qps: limits.qps * scale.qps, burst: limits.burst * scale.burst });
      const cc: ControllerContext = {
        name: def.name,
        actor: ctx,
        api: new ApiClient(port),
        events: new EventRecorder({ port, clock: ctx.clock, component: def.component }),
        options: opts.options ?? {},
        informer: informerOf(opts.factory, current, opts.options?.[PLANTED_SKIP_DELETE_RESYNC] === true),
        enqueue: (key) => current.send({ type: 'enqueue', key }),
        enqueueAfter: (key, delayMs) => current.send({ type: 'enqueueAfter', key, delayMs }),
      };
      const controller = def.create(cc);
      const skipRequeue = opts.options?.[PLANTED_SKIP_REQUEUE] === true;
      current.controller = controller;
      opts.onHandle?.({ name: def.name, controller });
      // One queue's metrics across incarnations; each starts with an empty queue.
      const q = (queue ??= new WorkqueueMetrics(ctx.metrics, def.name, () => ctx.clock.now()));
      q.reset();
      const machine = reconcileMachine.provide({
        actions: {
          attach: ({ self }) => current.attach(self),
          reportError: (_, p: { key: string; error: string }) => ctx.log.warn('sync failed; retrying', { key: p.key, error: p.error }),
          reportTerminal: (_, p: { key: string; error: string }) => ctx.log.warn('sync failed terminally; not retrying', { key: p.key, error: p.error }),
          queued: (_, p: { key: string }) => q.queued(p.key),
          taken: (_, p: { key: string }) => q.taken(p.key),
          finished: (_, p: { key: string }) => q.finished(p.key),
          retried: () => q.retried(),
        },
        actors: {
          sync: fromPromise(({ input }) =>
            skipRequeue ? runSync(controller, input.key).catch(() => void current.stuck.add(input.key)) : runSync(controller, input.key),
          ),
        },
      });
      return { machine };
    },
    onStop() {
      // Stopped for good (not restarted): its handlers leave the shared informers.
      inc?.stop();
    },
    onStart() {
      const current = inc;
      if (!current) return;
      void current.subscribe().then(() => current.send({ type: 'synced' }));
    },
  };
}

export { keyOf };
