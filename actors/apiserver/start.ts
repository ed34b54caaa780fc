/**
 * Starts the core of a control plane on a bus: the kv actor over a storage backend and the
 * apiserver in front of it, on one ActorHost. Used by specs, the CLI and benches; the
 * components (scheduler, controllers, kubelets) are spawned on the same host afterwards.
 */
import type { Bus } from '../../bus/bus.ts';
import { APISERVER_ADDRESS, KV_ADDRESS } from '../../bus/permissions.ts';
import type { ActorHost } from '../host.ts';
import type { KvBackend } from '../kv/backend.ts';
import { kvActor, type KvActorOptions } from '../kv/actor.ts';
import { apiServerActor, type ApiServerActorOptions } from './actor.ts';
import type { ApiServerEffects } from './server.ts';
import { WEBHOOK_CALLER_ADDRESS, webhookCallerActor } from './webhooks/caller.ts';

export interface ControlPlaneCoreOptions {
  bus: Bus;
  host: ActorHost;
  backend: KvBackend;
  apiserver?: ApiServerActorOptions;
  kv?: KvActorOptions;
}

export interface ControlPlaneCore {
  /** The current apiserver incarnation's effects (its cache, watchers and allocators), for specs and benches. */
  apiserver(): ApiServerEffects;
  /** Resolves once the apiserver is serving (boot done: system namespaces exist, cache primed). */
  ready(): Promise<void>;
  /** Ends open watches, stops the apiserver and the kv actor; the caller closes the backend and the bus. */
  stop(): void;
}

export function startControlPlaneCore(opts: ControlPlaneCoreOptions): ControlPlaneCore {
  let fx: ApiServerEffects | null = null;
  opts.host.spawn(kvActor(opts.backend, opts.kv));
  // The apiserver's HTTPS calls to admission webhooks, as an actor of their own (webhooks/caller.ts).
  opts.host.spawn(webhookCallerActor((event) => void opts.host.tell(WEBHOOK_CALLER_ADDRESS, event)));
  opts.host.spawn(
    apiServerActor({
      bus: opts.bus,
      ...opts.apiserver,
      onEffects: (e) => {
        fx = e;
        opts.apiserver?.onEffects?.(e);
      },
    }),
  );
  return {
    apiserver() {
      if (!fx) throw new Error('the apiserver has not started');
      return fx;
    },
    ready: () =>
      new Promise<void>((resolve, reject) => {
        const ref = opts.host.get(APISERVER_ADDRESS)?.ref;
        if (!ref) return reject(new Error('the apiserver is not running'));
        const check = (snap: { matches(v: string): boolean }) => {
          if (snap.matches('serving')) {
            sub.unsubscribe();
            resolve();
          }
        };
        const sub = ref.subscribe({ next: check, error: reject });
        check(ref.getSnapshot());
      }),
    stop() {
      opts.host.tell(APISERVER_ADDRESS, { type: 'apiserver.stop' });
      opts.host.stop(APISERVER_ADDRESS);
      opts.host.stop(KV_ADDRESS);
      opts.host.stop(WEBHOOK_CALLER_ADDRESS);
    },
  };
}
