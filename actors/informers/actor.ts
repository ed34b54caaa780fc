/**
 * The shared informer factory's actor at `informers`, one per process: it lends the
 * factory its port (the informers' lists and watches are sent from this address, so the
 * apiserver sees one pod watch per process) and runs machines/informers.ts, whose context
 * shows every informer's state. A restart ends the watches and re-lists against the caches
 * it keeps, so subscribers see only the difference; a subscriber's restart is the
 * subscriber's business (it unsubscribes, and its next incarnation gets the cache as adds).
 *
 * The kubelet does not use it: it keeps its own per-node pod watch (field selector
 * spec.nodeName), as the Node authorizer lets a node see only its own pods.
 */
import type { AnyActorRef } from 'xstate';
import type { Envelope } from '../../base/envelope.ts';
import { informersChart } from '../../machines/informers.ts';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import type { ActorHost } from '../host.ts';
import { SharedInformerFactory } from './factory.ts';

export const INFORMERS_ADDRESS = 'informers';

/** The factory's ActorDef; `refOf` finds the running chart (for changes that come from outside a delivery). */
export function informersActor(factory: SharedInformerFactory, refOf: () => AnyActorRef | undefined, address = INFORMERS_ADDRESS): ActorDef {
  factory.onChange = (key, state) => {
    // Between a failure and the restart the old chart is stopped; the restart reads `factory.states()`.
    const ref = refOf();
    if (ref?.getSnapshot().status === 'active') ref.send({ type: 'informer.changed', key, state });
  };
  return {
    address,
    config: {},
    create() {
      factory.stop();
      return { machine: informersChart, input: { informers: factory.states() } };
    },
    onStart(ctx: ActorContext) {
      factory.start(ctx.port, ctx.clock, ctx.log);
    },
    onStop() {
      factory.stop();
    },
    toEvent(env: Envelope) {
      factory.handle(env);
      return null;
    },
  };
}

const factories = new WeakMap<ActorHost, SharedInformerFactory>();

/**
 * The host's factory, its actor spawned at `address` on first use (default `informers`; a
 * role process on NATS passes its own `informers.<id>`, since the apiserver sends watch events
 * to the watcher's address and two processes must not receive each other's). Later calls get
 * the same factory whatever they pass.
 */
export function informerFactory(host: ActorHost, address = INFORMERS_ADDRESS): SharedInformerFactory {
  let f = factories.get(host);
  if (f !== undefined) return f;
  factories.set(host, (f = new SharedInformerFactory()));
  host.spawn(informersActor(f, () => host.get(address)?.ref, address));
  return f;
}
