/**
 * The controller actor at `controller.<name>`: the reconcile chart with `sync` bound to one
 * incarnation of the controller. Watch envelopes are consumed by the informers before they
 * reach the chart (toEvent), and their handlers send `enqueue` events to it. A restart
 * stops the old incarnation's informers and builds everything afresh.
 */
import { fromPromise, type AnyActorRef } from 'xstate';
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import { EventRecorder } from '../events.ts';
import { Informer, keyOf } from '../informer.ts';
import { reconcileMachine, type ReconcileEvent } from '../../machines/controllers/reconcile.ts';
import { ApiClient, isNotFound, TerminalError } from '../client/index.ts';
import { controllerAddress, type Controller, type ControllerContext, type ControllerDefinition, type InformerRequest } from './framework.ts';

/** What specs may look at in the running incarnation. */
export interface ControllerHandle {
  readonly name: string;
  readonly controller: Controller;
  readonly informers: readonly Informer[];
}

class Incarnation {
  ref: AnyActorRef | null = null;
  readonly informers: Informer[] = [];
  /** Events sent before the chart attached (none in practice; kept so nothing is lost). */
  readonly early: ReconcileEvent[] = [];
  controller: Controller | null = null;
  stopped = false;

  send(e: ReconcileEvent): void {
    if (this.stopped) return;
    if (this.ref) this.ref.send(e);
    else this.early.push(e);
  }
  attach(ref: AnyActorRef): void {
    this.ref = ref;
    for (const e of this.early.splice(0)) ref.send(e);
  }
  stop(): void {
    this.stopped = true;
    for (const i of this.informers) i.stop();
    this.controller?.stop?.();
  }
}

function newInformer(ctx: ActorContext, inc: Incarnation, req: InformerRequest): Informer {
  // The informer reports keys; the last object seen per key lets handlers see old and deleted objects.
  const last = new Map<string, KubeObject>();
  let informer: Informer | null = null;
  const h = req.handlers ?? {};
  informer = new Informer({
    port: ctx.port,
    clock: ctx.clock,
    target: req.target,
    ...(req.labelSelector ? { labelSelector: req.labelSelector } : {}),
    ...(req.fieldSelector ? { fieldSelector: req.fieldSelector } : {}),
    ...(req.resyncMs ? { resyncMs: req.resyncMs } : {}),
    name: req.name ?? `${req.target.group}.${req.target.resource}`,
    handlers: {
      add: (key) => {
        const obj = informer!.get(key)!;
        last.set(key, obj);
        if (!inc.stopped) h.add?.(obj);
      },
      update: (key) => {
        const obj = informer!.get(key)!;
        const old = last.get(key) ?? obj;
        last.set(key, obj);
        if (!inc.stopped) h.update?.(old, obj);
      },
      delete: (key) => {
        const old = last.get(key);
        last.delete(key);
        if (old && !inc.stopped) h.delete?.(old);
      },
    },
  });
  inc.informers.push(informer);
  return informer;
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

export interface ControllerActorOptions {
  /** The controller's own options (ControllerContext.options). */
  options?: Readonly<Record<string, unknown>>;
  onHandle?: (h: ControllerHandle) => void;
}

/** What a recording logs about a controller actor: which controller, with which options. */
export interface ControllerConfig {
  controller: string;
  options: Readonly<Record<string, unknown>>;
}

export function controllerActor(def: ControllerDefinition, opts: ControllerActorOptions = {}): ActorDef {
  let inc: Incarnation | null = null;
  return {
    address: controllerAddress(def.name),
    config: { controller: def.name, options: opts.options ?? {} } satisfies ControllerConfig,
    toEvent(env: Envelope) {
      if (env.type === 'api.watch-events' || env.type === 'api.watch-ended') {
        for (const i of inc?.informers ?? []) if (i.handle(env)) break;
      }
      return null;
    },
    create(ctx: ActorContext) {
      inc?.stop();
      const current = (inc = new Incarnation());
      const cc: ControllerContext = {
        name: def.name,
        actor: ctx,
        api: new ApiClient(ctx.port),
        events: new EventRecorder({ port: ctx.port, clock: ctx.clock, component: def.component }),
        options: opts.options ?? {},
        informer: (req) => newInformer(ctx, current, req),
        enqueue: (key) => current.send({ type: 'enqueue', key }),
        enqueueAfter: (key, delayMs) => current.send({ type: 'enqueueAfter', key, delayMs }),
      };
      const controller = def.create(cc);
      current.controller = controller;
      opts.onHandle?.({ name: def.name, controller, informers: current.informers });
      const machine = reconcileMachine.provide({
        actions: {
          attach: ({ self }) => current.attach(self),
          reportError: (_, p: { key: string; error: string }) => ctx.log.warn('sync failed; retrying', { key: p.key, error: p.error }),
          reportTerminal: (_, p: { key: string; error: string }) => ctx.log.warn('sync failed terminally; not retrying', { key: p.key, error: p.error }),
        },
        actors: { sync: fromPromise(({ input }) => runSync(controller, input.key)) },
      });
      return { machine };
    },
    onStart() {
      const current = inc;
      if (!current) return;
      void Promise.all(current.informers.map((i) => i.start())).then(() => current.send({ type: 'synced' }));
    },
  };
}

export { keyOf };
