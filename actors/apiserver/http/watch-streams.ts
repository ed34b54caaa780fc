import type { Envelope } from '../../../base/envelope.ts';
import type { KubeObject, WatchEvent } from '../../../bus/catalogue/api.ts';
import { isMessage } from '../../../bus/catalogue/index.ts';

/** What a watch stream does with what the apiserver sends it. */
export interface WatchSink {
  events(events: WatchEvent[]): void;
  /** The apiserver ended the watch; `status` is the Status it ended with. */
  ended(status: KubeObject): void;
  /** Bytes written to the client that its connection has not taken yet. */
  backlog(): number;
  /** Ends the stream at once, dropping what is buffered, and stops the watch at the apiserver. */
  cut(): void;
}

/**
 * Bytes a watch stream may have waiting for a client that does not read, before the front
 * closes it. kube-apiserver closes a watcher whose buffer is full ("Forcing watcher close due
 * to unresponsiveness") and the client re-lists; here the buffer is the socket's, in bytes.
 */
export const DEFAULT_WATCH_BACKLOG_BYTES = 16 * 1024 * 1024;

/** The front's accounting of its watch streams. */
export interface WatchStreamStats {
  /** Streams open now. */
  open: number;
  /** Bytes waiting in the open streams' sockets now. */
  buffered: number;
  /** The most any one stream had waiting after a write, since the front started. */
  peakBacklog: number;
  /** Streams closed because their client did not keep up. */
  cutSlow: number;
  /** The bound in force. */
  maxBacklog: number;
}

/**
 * The front's open watches, by watch id. The apiserver sends `api.watch-events` and
 * `api.watch-ended` to the front's address; this table routes them to their HTTP stream.
 * Events that arrive before a stream is ready (the replay can precede the reply to
 * `api.watch`) are held until `ready`. A stream whose client does not keep up (see
 * DEFAULT_WATCH_BACKLOG_BYTES), or whose batches skip a number (one was lost on the bus),
 * is ended: the client watches again from the last version it saw, or re-lists.
 */
export class WatchStreams {
  readonly #sinks = new Map<string, { sink: WatchSink; ready: boolean; held: Envelope[]; batch: number }>();
  #next = 0;
  #cutSlow = 0;
  #peak = 0;

  /** `maxBacklog`: bytes a stream may have waiting before it is cut (default DEFAULT_WATCH_BACKLOG_BYTES). */
  constructor(readonly maxBacklog = DEFAULT_WATCH_BACKLOG_BYTES) {}

  stats(): WatchStreamStats {
    let buffered = 0;
    for (const { sink } of this.#sinks.values()) buffered += sink.backlog();
    return { open: this.#sinks.size, buffered, peakBacklog: this.#peak, cutSlow: this.#cutSlow, maxBacklog: this.maxBacklog };
  }

  /** A fresh watch id, unique for this front. */
  newId(prefix: string): string {
    return `${prefix}-${++this.#next}`;
  }

  open(id: string, sink: WatchSink): void {
    this.#sinks.set(id, { sink, ready: false, held: [], batch: 0 });
  }

  /** Delivers what was held and everything after it straight away. */
  ready(id: string): void {
    const entry = this.#sinks.get(id);
    if (!entry) return;
    entry.ready = true;
    for (const env of entry.held.splice(0)) this.#deliver(entry, env);
  }

  close(id: string): void {
    this.#sinks.delete(id);
  }

  get size(): number {
    return this.#sinks.size;
  }

  /** The port handler's part for watch messages; returns false for other message types. */
  handle(env: Envelope): boolean {
    if (!isMessage(env, 'api.watch-events') && !isMessage(env, 'api.watch-ended')) return false;
    const id = env.payload.id;
    const entry = this.#sinks.get(id);
    if (!entry) return true;
    if (entry.ready) this.#deliver(entry, env);
    else entry.held.push(env);
    return true;
  }

  #deliver(entry: { sink: WatchSink; batch: number }, env: Envelope): void {
    const sink = entry.sink;
    if (isMessage(env, 'api.watch-ended')) return sink.ended(env.payload.status);
    if (!isMessage(env, 'api.watch-events')) return;
    const { events, seq } = env.payload;
    if (seq !== undefined) {
      // A batch was lost on the bus: end the stream, so the client watches again from the last version it saw.
      if (seq !== entry.batch + 1) return sink.cut();
      entry.batch = seq;
    }
    sink.events(events);
    const backlog = sink.backlog();
    if (backlog > this.#peak) this.#peak = backlog;
    if (backlog > this.maxBacklog) {
      // The client does not read: holding more for it would grow the front without bound.
      this.#cutSlow++;
      sink.cut();
    }
  }
}
