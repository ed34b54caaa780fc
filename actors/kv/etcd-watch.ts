import type { IDuplexStream, IEvent, IWatchRequest, IWatchResponse, WatchClient } from 'etcd3';
import { compactedError, KvError, type KvEvent, type WatchHandle, type WatchSink } from './backend.ts';
import { span, type EtcdLayout } from './etcd-codec.ts';

/** What one etcd watch needs from its backend. */
export interface EtcdWatchHost {
  readonly client: WatchClient;
  readonly layout: EtcdLayout;
  /** A revision etcd reported (headers, events): the backend's revision() follows it. */
  saw(revision: number): void;
  /** etcd cancelled a watch for compaction at `revision`. */
  compacted(revision: number): void;
  /** The watch is over (ended or cancelled): the backend forgets it. */
  done(w: EtcdWatch): void;
}

const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2000;

/**
 * One kv watch as one etcd gRPC watch stream: created from `after + 1` with the previous
 * values (etcd's prev_kv) and progress notifications. etcd delivers in revision order and
 * whole revisions per response. When the stream breaks (the member died, the connection
 * dropped) it is opened again — on whichever member answers — from the last revision
 * delivered, and events at or below it are dropped, so a member failure shows as a pause,
 * never as a gap or a duplicate. etcd's compaction cancel ends the watch with 'compacted'.
 */
export class EtcdWatch implements WatchHandle {
  #cursor: number;
  #stream: IDuplexStream<IWatchRequest, IWatchResponse> | null = null;
  #done = false;
  #retryMs = RETRY_MIN_MS;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: EtcdWatchHost,
    private readonly prefix: string,
    after: number,
    private readonly sink: WatchSink,
  ) {
    this.#cursor = after;
    this.#open();
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#stream?.cancel();
    this.#stream = null;
    this.host.done(this);
  }

  /** Ends the watch with `error` (once), as the contract's `sink.end`. */
  end(error: KvError): void {
    if (this.#done) return;
    this.cancel();
    this.sink.end(error);
  }

  #open(): void {
    const whole = span(this.host.layout.key(this.prefix));
    this.host.client.watch().then(
      (stream) => {
        if (this.#done) {
          stream.cancel();
          return;
        }
        this.#stream = stream;
        stream.on('data', (res: IWatchResponse) => this.#response(res));
        // Both end a stream that was not cancelled by us: open it again from the cursor.
        stream.on('error', () => this.#broken(stream));
        stream.on('end', () => this.#broken(stream));
        stream.write({ create_request: { ...whole, start_revision: this.#cursor + 1, prev_kv: true, progress_notify: true } });
      },
      () => this.#retry(),
    );
  }

  #response(res: IWatchResponse): void {
    if (this.#done) return;
    this.#retryMs = RETRY_MIN_MS;
    if (res.header) this.host.saw(Number(res.header.revision));
    if (res.canceled) {
      const compact = Number(res.compact_revision);
      if (compact > 0) {
        this.host.compacted(compact);
        this.end(compactedError(this.#cursor, compact));
      } else {
        this.end(new KvError('internal', `etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`));
      }
      return;
    }
    const events: KvEvent[] = [];
    for (const e of res.events ?? []) {
      const ev = this.#event(e);
      if (ev.kv.modRevision > this.#cursor) events.push(ev);
    }
    if (events.length === 0) {
      // A progress notification: nothing under the prefix up to the header's revision is left to deliver.
      if (!res.created && res.header && (res.events ?? []).length === 0) this.#cursor = Math.max(this.#cursor, Number(res.header.revision));
      return;
    }
    this.#cursor = events[events.length - 1]!.kv.modRevision;
    this.host.saw(this.#cursor);
    try {
      this.sink.events(events);
    } catch (err) {
      // A sink that throws would stall its later deliveries; end it loudly instead (as WatchHub does).
      this.end(new KvError('internal', err instanceof Error ? err.message : String(err)));
    }
  }

  #event(e: IEvent): KvEvent {
    const layout = this.host.layout;
    const prev = e.prev_kv ? layout.record(e.prev_kv) : undefined;
    if (e.type === 'Put') return prev ? { type: 'put', kv: layout.record(e.kv), prev } : { type: 'put', kv: layout.record(e.kv) };
    // etcd's tombstone: create revision and version 0; the kv's delete event carries the last value (null if etcd no longer had it).
    const kv = { key: layout.kvKey(e.kv.key), value: prev ? prev.value : null, createRevision: 0, modRevision: Number(e.kv.mod_revision), version: 0 };
    return prev ? { type: 'delete', kv, prev } : { type: 'delete', kv };
  }

  #broken(stream: IDuplexStream<IWatchRequest, IWatchResponse>): void {
    if (this.#done || this.#stream !== stream) return;
    this.#stream = null;
    stream.cancel();
    this.#retry();
  }

  #retry(): void {
    if (this.#done) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#done) this.#open();
    }, this.#retryMs);
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
  }
}
