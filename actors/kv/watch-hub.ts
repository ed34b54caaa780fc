import { compactedError, KvError, type KvEvent, type WatchHandle, type WatchSink } from './backend.ts';

/** Where a replaying watch reads the retained history from (a backend's revision log). */
export interface HistorySource {
  /**
   * Events of whole revisions in (`after`, `upTo`], in order, stopping at the first
   * revision boundary once `max` events are gathered; `through` is the last revision read.
   */
  readHistory(after: number, upTo: number, max: number): { events: KvEvent[]; through: number };
}

interface Watcher {
  prefix: string;
  /** The last revision this watcher has been given (or has been found to need nothing from). */
  cursor: number;
  /** Caught up: new revisions reach it from `publish`, not from the log. */
  live: boolean;
  done: boolean;
  sink: WatchSink;
}

/** Events per replayed batch, so a long replay neither builds one huge message nor starves the loop. */
const REPLAY_BATCH = 512;

/**
 * The watch fan-out both backends share. A watch first replays the log from its cursor
 * (one batch per macrotask) until it reaches the published revision, then turns live
 * and is fed by `publish`. Because the switch happens in the same task that reads the
 * last replayed revision, and `publish` only ever advances the published revision, no
 * revision is skipped or delivered twice.
 */
export class WatchHub {
  readonly #watchers = new Set<Watcher>();
  #published: number;

  constructor(
    private readonly source: HistorySource,
    published: number,
  ) {
    this.#published = published;
  }

  get size(): number {
    return this.#watchers.size;
  }

  /** Registers a watch; the caller has checked `afterRevision` against the compact revision. */
  open(prefix: string, afterRevision: number, sink: WatchSink): WatchHandle {
    const w: Watcher = { prefix, cursor: afterRevision, live: afterRevision >= this.#published, done: false, sink };
    this.#watchers.add(w);
    if (!w.live) this.#schedule(w);
    return { cancel: () => this.#drop(w) };
  }

  /** A commit group became durable: `events` (in revision order) up to `revision`. */
  publish(events: KvEvent[], revision: number): void {
    this.#published = Math.max(this.#published, revision);
    for (const w of this.#watchers) {
      if (!w.live || w.done) continue;
      const mine = events.filter((e) => e.kv.modRevision > w.cursor && e.kv.key.startsWith(w.prefix));
      w.cursor = Math.max(w.cursor, revision);
      if (mine.length) this.#deliver(w, mine);
    }
  }

  /** History at or before `compactRevision` is gone: a watch still replaying from there cannot be served. */
  compacted(compactRevision: number): void {
    for (const w of this.#watchers) {
      if (!w.live && w.cursor < compactRevision) this.#end(w, compactedError(w.cursor, compactRevision));
    }
  }

  closeAll(error: KvError): void {
    for (const w of [...this.#watchers]) this.#end(w, error);
  }

  #schedule(w: Watcher): void {
    setImmediate(() => this.#replay(w));
  }

  #replay(w: Watcher): void {
    if (w.done) return;
    let batch: { events: KvEvent[]; through: number };
    try {
      batch = this.source.readHistory(w.cursor, this.#published, REPLAY_BATCH);
    } catch (err) {
      this.#end(w, asKvError(err));
      return;
    }
    const mine = batch.events.filter((e) => e.kv.key.startsWith(w.prefix));
    w.cursor = batch.through;
    if (w.cursor >= this.#published) w.live = true;
    if (mine.length) this.#deliver(w, mine);
    if (!w.live && !w.done) this.#schedule(w);
  }

  #deliver(w: Watcher, events: KvEvent[]): void {
    try {
      w.sink.events(events);
    } catch (err) {
      // A sink that throws would otherwise stall every later delivery to it; end it loudly instead.
      this.#end(w, asKvError(err));
    }
  }

  #end(w: Watcher, error: KvError): void {
    if (w.done) return;
    this.#drop(w);
    w.sink.end(error);
  }

  #drop(w: Watcher): void {
    w.done = true;
    this.#watchers.delete(w);
  }
}

export function asKvError(err: unknown): KvError {
  return err instanceof KvError ? err : new KvError('internal', err instanceof Error ? err.message : String(err));
}
