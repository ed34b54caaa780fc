/**
 * The apiserver actor at address `apiserver`: the chart in machines/apiserver.ts with its
 * effects bound to one incarnation's ServerContext (actors/apiserver/server.ts). A restart
 * builds a fresh cache from storage, as a restarted kube-apiserver does.
 */
import type { ActorDef } from '../actor-def.ts';
import type { Envelope } from '../../base/envelope.ts';
import { APISERVER_ADDRESS } from '../../bus/permissions.ts';
import { apiserverMachine } from '../../machines/apiserver.ts';
import { fromPromise } from 'xstate';
import { apiServerEffects, type ApiServerEffects, type ApiServerOptions } from './server.ts';
import { memorySigningKey } from './signing-key.ts';
import { FlowControl } from './flowcontrol/controller.ts';

export interface ApiServerActorOptions extends ApiServerOptions {
  /** Period of bookmarks and watcher liveness probes (default 60 s, Kubernetes' bookmark period). */
  tickMs?: number;
  /** Delay before a failed boot or re-prime is retried (default 1 s). */
  retryMs?: number;
  /** Receives each incarnation's effects (specs and benches read the cache through it). */
  onEffects?: (fx: ApiServerEffects) => void;
}

const env = (e: unknown): Envelope => e as Envelope;

export function apiServerActor(opts: ApiServerActorOptions = {}): ActorDef {
  let previous: ApiServerEffects | null = null;
  // The key source, the encryption keys and the audit log are capabilities, not config: never recorded; one per def, so a restarted incarnation keeps its tokens valid.
  const { onEffects: _hook, bus: _bus, signingKey = memorySigningKey(), encryption: _keys, audit: _audit, flowControl, ...rest } = opts;
  // A shared FlowControl is recorded as its limits: a replay runs its own with the same ones.
  const config = flowControl === undefined ? rest : { ...rest, flowControl: flowControl instanceof FlowControl ? flowControl.options : flowControl };
  return {
    address: APISERVER_ADDRESS,
    // API Priority and Fairness bounds what waits here (about 27,000 queue places and 600 seats
    // at the defaults): the inbox limit is only the backstop, for flow control turned off.
    inboxLimit: 100_000,
    config,
    create(ctx) {
      previous?.shutdown();
      const fx = (previous = apiServerEffects(ctx, { ...opts, signingKey }));
      opts.onEffects?.(fx);
      const machine = apiserverMachine.provide({
        actions: {
          handleRequest: (_, p) => fx.handle(env(p.event)),
          deferRequest: (_, p) => fx.defer(env(p.event)),
          flushDeferred: () => fx.flushDeferred(),
          refuseRequest: (_, p) => fx.refuse(env(p.event)),
          refuseDeferred: () => fx.refuseDeferred(),
          followStaleness: ({ self }) => fx.onStale(() => self.send({ type: 'apiserver.resync' })),
          applyKvEvents: (_, p) => fx.applyKvEvents(env(p.event)),
          tick: () => fx.tick(),
          shutdown: () => fx.shutdown(),
        },
        guards: {
          isCurrentWatch: (_, p) => fx.isCurrentWatch(env(p.event)),
          isGapped: (_, p) => fx.isGapped(env(p.event)),
        },
        actors: {
          boot: fromPromise(() => fx.boot()),
          reprime: fromPromise(() => fx.reprime()),
        },
        delays: {
          ...(opts.tickMs !== undefined ? { tickEvery: opts.tickMs } : {}),
          ...(opts.retryMs !== undefined ? { retryDelay: opts.retryMs } : {}),
        },
      });
      return { machine };
    },
  };
}
