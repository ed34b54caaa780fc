/**
 * The process's shared informer factory (client-go's SharedInformerFactory, the cache of
 * controller-runtime's manager): one informer per (resource, namespace, label selector,
 * field selector), however many components ask — so a process with every controller and
 * the scheduler opens one pod watch, not ten. The factory's actor (actor.ts) lends it a
 * port and a clock; informers asked for before it runs start when it starts.
 */
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { Clock } from '../../base/clock.ts';
import type { InformerState } from '../../machines/informers.ts';
import type { Logger } from '../actor-def.ts';
import type { Indexable } from './indexer.ts';
import { informerKey, SharedInformer, type InformerSpec } from './shared.ts';

interface Binding {
  port: Port;
  clock: Clock;
  log: Logger;
}

export class SharedInformerFactory {
  readonly #informers = new Map<string, SharedInformer<Indexable>>();
  #binding: Binding | undefined;
  #running = false;
  /** Told of every informer's change while the factory runs (its actor forwards it to the chart). */
  onChange: (key: string, state: InformerState) => void = () => {};

  /** The informer for `spec`, created (and started, when the factory runs) on first request. */
  informer<T extends Indexable>(spec: InformerSpec<T>): SharedInformer<T> {
    const key = informerKey(spec);
    let inf = this.#informers.get(key) as SharedInformer<T> | undefined;
    if (inf !== undefined) return inf;
    inf = new SharedInformer<T>(key, spec, (s) => this.#changed(s), () => this.#binding?.log);
    this.#informers.set(key, inf as unknown as SharedInformer<Indexable>);
    if (this.#binding) inf.bind(this.#binding.port, this.#binding.clock, this.#informers.size);
    if (this.#running) inf.start();
    this.#changed(inf);
    return inf;
  }

  /** The factory's incarnation starts: every informer lists (again) and watches. */
  start(port: Port, clock: Clock, log: Logger): void {
    this.#binding = { port, clock, log };
    this.#running = true;
    let id = 0;
    for (const inf of this.#informers.values()) inf.bind(port, clock, ++id);
    for (const inf of this.#informers.values()) inf.start();
  }

  /** Ends every watch (the caches stay, for the next incarnation to re-list against). */
  stop(): void {
    this.#running = false;
    for (const inf of this.#informers.values()) inf.stop();
  }

  /** Takes the informers' watch envelopes; false for anything else. */
  handle(env: Envelope): boolean {
    if (env.type !== 'api.watch-events' && env.type !== 'api.watch-ended') return false;
    for (const inf of this.#informers.values()) if (inf.handle(env)) return true;
    return false;
  }

  /** Every informer's state, by key. */
  states(): Record<string, InformerState> {
    const out: Record<string, InformerState> = {};
    for (const [key, inf] of this.#informers) out[key] = inf.state();
    return out;
  }

  #changed(inf: { key: string; state(): InformerState }): void {
    if (this.#running) this.onChange(inf.key, inf.state());
  }
}
