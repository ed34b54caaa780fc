/**
 * A kv backend that wraps another (memory) and lets a simulation slow or fail its writes,
 * and that reports every write it applied — the ground truth the invariants read.
 *
 * - slow write (a slow fsync): the txn is applied `delayMs` later on the virtual clock; txns
 *   still apply in the order they were called (a later one waits for the slow one), and reads
 *   meanwhile see the store without it, as etcd's do before the commit.
 * - failed write: the txn is refused before it reaches the store — nothing half-written —
 *   with 'internal' (the apiserver answers 500) or 'closed' (503).
 */
import type { Clock } from '../../base/clock.ts';
import { settle } from '../clock/virtual.ts';
import { settledAtIdle } from './replayable.ts';
import { KvError, type KvBackend, type KvOp, type KvRangeReply, type KvRecord, type KvTxnReply, type RangeOptions, type WatchHandle, type WatchSink } from '../kv/backend.ts';

/** What happens to one txn. */
export type KvVerdict = { do: 'pass' } | { do: 'slow'; ms: number } | { do: 'fail'; code: 500 | 503 };

export class FaultyKv implements KvBackend {
  readonly #inner: KvBackend;
  readonly #clock: Clock;
  readonly #faulty: boolean;
  #decide: (ops: KvOp[]) => KvVerdict = () => ({ do: 'pass' });
  /** The last txn called: the next waits for it, so txns apply in call order. */
  #tail: Promise<unknown> = Promise.resolve();
  /** Txns held behind a slow one, not yet handed to the store. */
  #waiting = 0;
  /** Called with every txn the store applied (succeeded), in revision order. */
  onApplied: (ops: KvOp[], revision: number) => void = () => {};
  readonly counts = { slowed: 0, failed: 0 };

  /** `faulty`: storage faults may be injected — the name says so, and `replay --verify` then skips the kv (its replay store has none). */
  constructor(inner: KvBackend, clock: Clock, faulty = true) {
    this.#inner = inner;
    this.#clock = clock;
    this.#faulty = faulty;
    this.name = faulty ? `${inner.name}+faults` : inner.name;
  }

  setDecision(decide: (ops: KvOp[]) => KvVerdict): void {
    this.#decide = decide;
  }

  readonly name: string;
  revision(): number {
    return this.#inner.revision();
  }
  compactRevision(): number {
    return this.#inner.compactRevision();
  }
  keyCount(): Promise<number> {
    return this.#answer(this.#inner.keyCount());
  }
  get(key: string, revision?: number): Promise<{ kv: KvRecord | null; revision: number }> {
    return this.#answer(this.#inner.get(key, revision));
  }
  range(prefix: string, opts?: RangeOptions): Promise<KvRangeReply> {
    return this.#answer(this.#inner.range(prefix, opts));
  }
  watch(prefix: string, afterRevision: number, sink: WatchSink): WatchHandle {
    return this.#inner.watch(prefix, afterRevision, sink);
  }
  compact(revision: number): Promise<{ compactRevision: number; revision: number }> {
    return this.#answer(this.#inner.compact(revision));
  }
  close(): Promise<void> {
    return this.#inner.close();
  }

  txn(ops: KvOp[]): Promise<KvTxnReply> {
    return this.#answer(this.#txn(ops));
  }

  /**
   * With faults, the kv is not replayed (`replay --verify` skips it): its replies are fed to
   * the replay at idle, so they must leave it at idle, not from the microtask in which the
   * store's promise settled (actors/simulate/replayable.ts). Without
   * faults the kv is replayed and answers as it always does.
   */
  #answer<T>(p: Promise<T>): Promise<T> {
    return this.#faulty ? settledAtIdle(p) : p;
  }

  #txn(ops: KvOp[]): Promise<KvTxnReply> {
    const v = this.#decide(ops);
    if (v.do === 'fail') {
      this.counts.failed++;
      const err = v.code === 503 ? new KvError('closed', 'simulated: the store is unavailable') : new KvError('internal', 'simulated: the write failed before it was applied');
      return Promise.reject(err);
    }
    const slow = v.do === 'slow' ? v.ms : 0;
    const applied = (reply: KvTxnReply): KvTxnReply => {
      if (reply.succeeded) this.onApplied(ops, reply.revision);
      return reply;
    };
    // Nothing slow ahead: straight to the store, in this very call, as without faults (a
    // read right after sees the write, and a recording replays on a plain memory store).
    if (slow === 0 && this.#waiting === 0) {
      // The memory store applies within the call: its revision tells at once whether this txn wrote.
      const rev = this.#inner.revision();
      const p = this.#inner.txn(ops);
      if (this.#inner.revision() > rev) this.onApplied(ops, this.#inner.revision());
      return p;
    }
    if (slow > 0) this.counts.slowed++;
    const before = this.#tail;
    this.#waiting++;
    const run = async (): Promise<KvTxnReply> => {
      await before.catch(() => {});
      // Applied at idle — after its slow fsync's timer, or, held behind a slow one, after a
      // settle — never in the cascade in which the txn before it applied: its watch events
      // then leave the kv in a turn of their own, where a replay (which has no faulty kv)
      // feeds them. Live, the second of four txns released together sent its events while
      // a controller's sync was still settling, and the replay fed them after it.
      if (slow > 0) await new Promise<void>((r) => this.#clock.setTimeout(r, slow));
      else await settle();
      this.#waiting--;
      return applied(await this.#inner.txn(ops));
    };
    const p = run();
    this.#tail = p;
    return p;
  }
}
