import type { Envelope } from '../../../bus/envelope.ts';
import type { KubeObject, WatchEvent } from '../../../bus/catalogue/api.ts';

/** What a watch stream does with what the apiserver sends it. */
export interface WatchSink {
  events(events: WatchEvent[]): void;
  /** The apiserver ended the watch; `status` is the Status it ended with. */
  ended(status: KubeObject): void;
}

/**
 * The front's open watches, by watch id. The apiserver sends `api.watch-events` and
 * `api.watch-ended` to the front's address; this table routes them to their HTTP stream.
 * Events that arrive before a stream is ready (the replay can precede the reply to
 * `api.watch`) are held until `ready`.
 */
export class WatchStreams {
  readonly #sinks = new Map<string, { sink: WatchSink; ready: boolean; held: Envelope[] }>();
  #next = 0;

  /** A fresh watch id, unique for this front. */
  newId(prefix: string): string {
    return `${prefix}-${++this.#next}`;
  }

  open(id: string, sink: WatchSink): void {
    this.#sinks.set(id, { sink, ready: false, held: [] });
  }

  /** Delivers what was held and everything after it straight away. */
  ready(id: string): void {
    const entry = this.#sinks.get(id);
    if (!entry) return;
    entry.ready = true;
    for (const env of entry.held.splice(0)) this.#deliver(entry.sink, env);
  }

  close(id: string): void {
    this.#sinks.delete(id);
  }

  get size(): number {
    return this.#sinks.size;
  }

  /** The port handler's part for watch messages; returns false for other message types. */
  handle(env: Envelope): boolean {
    if (env.type !== 'api.watch-events' && env.type !== 'api.watch-ended') return false;
    const id = (env.payload as { id?: string }).id ?? '';
    const entry = this.#sinks.get(id);
    if (!entry) return true;
    if (entry.ready) this.#deliver(entry.sink, env);
    else entry.held.push(env);
    return true;
  }

  #deliver(sink: WatchSink, env: Envelope): void {
    if (env.type === 'api.watch-events') sink.events((env.payload as { events: WatchEvent[] }).events);
    else sink.ended((env.payload as { status: KubeObject }).status);
  }
}
