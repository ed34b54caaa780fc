/**
 * The watch cache's liveness, judged by the writes storage acknowledged: every acknowledged
 * revision must reach the cache through its one kv watch. When one has not within the wait, the
 * watch is dead though no gap shows — a kv restart drops its watchers without ending them, a
 * message lost on NATS is followed by nothing that reveals it — and `stale` is called (the
 * apiserver resumes its watch from the cache's revision). Upstream's cacher learns the same from
 * its etcd watch stream's error; a bus watch has no stream to fail.
 *
 * One timer at a time, armed by a write the cache has not yet seen: a busy apiserver sets one
 * per wait, not one per write.
 */
import type { Clock, TimerId } from '../../base/clock.ts';
import type { KvClient } from './kv-client.ts';

export interface WriteLiveness {
  /** `kv` with every acknowledged txn's revision followed into the cache. */
  readonly kv: KvClient;
  stop(): void;
}

export function followWrites(kv: KvClient, cacheRv: () => number, clock: Clock, waitMs: number, stale: () => void): WriteLiveness {
  let highest = 0;
  let expected = 0;
  let timer: TimerId | undefined;
  const arm = (rev: number): void => {
    expected = rev;
    timer = clock.setTimeout(check, waitMs);
  };
  function check(): void {
    timer = undefined;
    if (cacheRv() < expected) stale();
    else if (highest > cacheRv()) arm(highest);
  }
  return {
    kv: {
      ...kv,
      async txn(ops) {
        const r = await kv.txn(ops);
        if (r.ok && r.value.succeeded) {
          highest = Math.max(highest, r.value.revision);
          if (timer === undefined && cacheRv() < r.value.revision) arm(r.value.revision);
        }
        return r;
      },
    },
    stop() {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
