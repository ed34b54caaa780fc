import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, realPace, type Pace } from '../../helpers/wait.ts';
import { KvError, type KvBackend, type KvBackendOptions, type KvEvent, type KvErrorCode, type KvOp } from '../../../actors/kv/backend.ts';

/** How the contract suite gets a fresh, empty backend of one implementation. */
export interface KvFactory {
  open(opts?: KvBackendOptions): Promise<KvBackend>;
  /** Removes whatever `open` left behind (temporary directories). */
  cleanup(): Promise<void>;
}

/** `r(n)`: the revision n writes after the store opened (an empty etcd is at 1, other stores at 0). */
type Body = (kv: KvBackend, r: (n: number) => number) => Promise<void>;

/**
 * The one contract every KvBackend passes: etcd's semantics for revisions, compares,
 * ranges, history, compaction and watches. `spec/actors/kv/<impl>.spec.ts` runs it.
 */
export function kvContract(name: string, factory: () => KvFactory): void {
  const s = suite(`kv contract: ${name}`);
  const it = (title: string, body: Body, opts?: KvBackendOptions): void => {
    s(title, async () => {
      const f = factory();
      const kv = await f.open(opts);
      const base = kv.revision();
      try {
        await body(kv, (n) => base + n);
      } finally {
        await kv.close();
        await f.cleanup();
      }
    });
  };

  it('an empty store is at its first revision and has nothing', async (kv, r) => {
    assert.is(kv.revision(), r(0));
    assert.ok(kv.compactRevision() <= r(0));
    assert.equal(await kv.get('/a'), { kv: null, revision: r(0) });
    assert.equal(await kv.range('/'), { items: [], revision: r(0) });
    assert.is(await kv.keyCount(), 0);
  });

  it('each write gets the next revision; create/mod revision and version follow etcd', async (kv, r) => {
    const r1 = await kv.txn([{ op: 'put', key: '/a', value: { n: 1, deep: { list: [1, 'x', null] } } }]);
    assert.equal(r1, { succeeded: true, revision: r(1), prev: [null] });
    assert.equal((await kv.get('/a')).kv, { key: '/a', value: { n: 1, deep: { list: [1, 'x', null] } }, createRevision: r(1), modRevision: r(1), version: 1 });
    await kv.txn([{ op: 'put', key: '/b', value: 'b' }]);
    const r3 = await kv.txn([{ op: 'put', key: '/a', value: { n: 2 } }]);
    assert.is(r3.revision, r(3));
    assert.equal(r3.succeeded && r3.prev[0]?.modRevision, r(1));
    assert.equal((await kv.get('/a')).kv, { key: '/a', value: { n: 2 }, createRevision: r(1), modRevision: r(3), version: 2 });
    assert.is(kv.revision(), r(3));
    assert.is(await kv.keyCount(), 2);
  });

  it('a delete resets version and create revision; deleting nothing does not bump the revision', async (kv, r) => {
    await kv.txn([{ op: 'put', key: '/a', value: 1 }]);
    await kv.txn([{ op: 'put', key: '/a', value: 2 }]);
    const del = await kv.txn([{ op: 'delete', key: '/a' }]);
    assert.equal(del.succeeded && del.prev[0]?.value, 2);
    assert.is(del.revision, r(3));
    assert.equal((await kv.get('/a')).kv, null);
    const noop = await kv.txn([{ op: 'delete', key: '/a' }]);
    assert.equal(noop, { succeeded: true, revision: r(3), prev: [null] });
    await kv.txn([{ op: 'put', key: '/a', value: 3 }]);
    assert.equal((await kv.get('/a')).kv, { key: '/a', value: 3, createRevision: r(4), modRevision: r(4), version: 1 });
  });

  it('create-only fails when the key exists, and changes nothing', async (kv, r) => {
    await kv.txn([{ op: 'put', key: '/a', value: 'first', ifModRevision: 0 }]);
    const again = await kv.txn([{ op: 'put', key: '/a', value: 'second', ifModRevision: 0 }]);
    assert.equal(again, { succeeded: false, revision: r(1), key: '/a', current: { key: '/a', value: 'first', createRevision: r(1), modRevision: r(1), version: 1 } });
    assert.is(kv.revision(), r(1));
    assert.is((await kv.get('/a')).kv?.value, 'first');
  });

  it('update-if and delete-if with a stale modRevision fail and change nothing', async (kv, r) => {
    await kv.txn([{ op: 'put', key: '/a', value: 1 }]);
    await kv.txn([{ op: 'put', key: '/a', value: 2 }]);
    const upd = await kv.txn([{ op: 'put', key: '/a', value: 'stale', ifModRevision: r(1) }]);
    assert.equal(upd.succeeded, false);
    assert.equal(!upd.succeeded && upd.current?.modRevision, r(2));
    const del = await kv.txn([{ op: 'delete', key: '/a', ifModRevision: r(1) }]);
    assert.is(del.succeeded, false);
    const missing = await kv.txn([{ op: 'put', key: '/nope', value: 1, ifModRevision: r(5) }]);
    assert.equal(missing, { succeeded: false, revision: r(2), key: '/nope', current: null });
    assert.is(kv.revision(), r(2));
    assert.equal((await kv.get('/a')).kv, { key: '/a', value: 2, createRevision: r(1), modRevision: r(2), version: 2 });
    assert.is((await kv.txn([{ op: 'put', key: '/a', value: 3, ifModRevision: r(2) }])).succeeded, true);
    assert.is((await kv.txn([{ op: 'delete', key: '/a', ifModRevision: r(3) }])).succeeded, true);
    assert.is((await kv.get('/a')).kv, null);
  });

  it('a multi-op txn is all-or-nothing at one revision', async (kv, r) => {
    await kv.txn([{ op: 'put', key: '/x', value: 'x' }]);
    const bad = await kv.txn([
      { op: 'put', key: '/a', value: 1 },
      { op: 'delete', key: '/x' },
      { op: 'put', key: '/b', value: 2, ifModRevision: r(99) },
    ]);
    assert.equal(bad, { succeeded: false, revision: r(1), key: '/b', current: null });
    assert.equal((await kv.range('/')).items.map((r) => r.key), ['/x']);
    const good = await kv.txn([
      { op: 'put', key: '/a', value: 1, ifModRevision: 0 },
      { op: 'delete', key: '/x', ifModRevision: r(1) },
      { op: 'put', key: '/b', value: 2 },
    ]);
    assert.equal(good.succeeded && good.prev.map((p) => p?.key ?? null), [null, '/x', null]);
    assert.is(good.revision, r(2));
    assert.equal((await kv.range('/')).items.map((e) => [e.key, e.modRevision]), [['/a', r(2)], ['/b', r(2)]]);
  });

  it('rejects malformed txns (no ops, one key twice) without touching the store', async (kv, r) => {
    await rejects(kv.txn([]), 'bad-request');
    await rejects(kv.txn([{ op: 'put', key: '/a', value: 1 }, { op: 'delete', key: '/a' }]), 'bad-request');
    assert.is(kv.revision(), r(0));
  });

  it('range lists a prefix in key order and pages across continue tokens, each key once, at one snapshot', async (kv) => {
    const keys = ['/r/b', '/r/a', '/r/a/x', '/r/a0', '/r/ab', '/s', '/q', '/r/c/d', '/r/Z'];
    for (const key of keys) await kv.txn([{ op: 'put', key, value: key }]);
    const all = await kv.range('/r/');
    assert.equal(all.items.map((r) => r.key), ['/r/Z', '/r/a', '/r/a/x', '/r/a0', '/r/ab', '/r/b', '/r/c/d']);
    assert.is(all.continue, undefined);
    assert.equal((await kv.range('/r/a/')).items.map((r) => r.key), ['/r/a/x']);

    const first = await kv.range('/r/', { limit: 3 });
    assert.equal(first.items.map((r) => r.key), ['/r/Z', '/r/a', '/r/a/x']);
    assert.is(first.remaining, 4);
    assert.ok(first.continue);
    // Writes after the first page are not seen by later pages: they read the first page's revision.
    await kv.txn([{ op: 'put', key: '/r/aa', value: 'new' }, { op: 'delete', key: '/r/b' }]);
    const seen = [...first.items];
    let token: string | undefined = first.continue;
    while (token) {
      const p = await kv.range('/r/', { limit: 3, continue: token });
      assert.is(p.revision, first.revision);
      seen.push(...p.items);
      token = p.continue;
    }
    assert.equal(seen.map((r) => r.key), all.items.map((r) => r.key));
    assert.equal((await kv.range('/r/', { limit: 100 })).items.map((r) => r.key), ['/r/Z', '/r/a', '/r/a/x', '/r/a0', '/r/aa', '/r/ab', '/r/c/d']);
    await rejects(kv.range('/r/', { continue: 'garbage!' }), 'bad-continue');
    await rejects(kv.range('/s', { continue: first.continue! }), 'bad-continue');
  });

  it('reads at a past revision see the store as it was; a future revision is refused', async (kv, r) => {
    await kv.txn([{ op: 'put', key: '/a', value: 'a1' }]);
    await kv.txn([{ op: 'put', key: '/b', value: 'b1' }]);
    await kv.txn([{ op: 'put', key: '/a', value: 'a2' }]);
    await kv.txn([{ op: 'delete', key: '/b' }]);
    assert.equal((await kv.get('/a', r(1))).kv?.value, 'a1');
    assert.equal((await kv.get('/a', r(2))).kv?.value, 'a1');
    assert.equal((await kv.get('/b', r(3))).kv?.value, 'b1');
    assert.equal((await kv.get('/b', r(4))).kv, null);
    assert.equal((await kv.get('/a', r(1))).revision, r(4));
    const at3 = await kv.range('/', { revision: r(3) });
    assert.equal(at3.items.map((e) => [e.key, e.value, e.version]), [['/a', 'a2', 2], ['/b', 'b1', 1]]);
    assert.is(at3.revision, r(3));
    const p1 = await kv.range('/', { revision: r(3), limit: 1 });
    const p2 = await kv.range('/', { continue: p1.continue! });
    assert.equal([...p1.items, ...p2.items].map((e) => e.key), ['/a', '/b']);
    await rejects(kv.get('/a', r(9)), 'future-revision');
  });

  it('compaction drops older history: reads and watches before it are Expired, at it still work', async (kv, r) => {
    for (let i = 1; i <= 6; i++) await kv.txn([{ op: 'put', key: `/k${i % 2}`, value: i }]);
    await kv.txn([{ op: 'delete', key: '/k0' }]);
    const res = await kv.compact(r(5));
    assert.equal(res, { compactRevision: r(5), revision: r(7) });
    assert.is(kv.compactRevision(), r(5));
    await rejects(kv.get('/k1', r(4)), 'compacted');
    await rejects(kv.range('/', { revision: r(2) }), 'compacted');
    assert.equal((await kv.get('/k1', r(5))).kv?.value, 5);
    assert.equal((await kv.get('/k0', r(5))).kv?.value, 4);
    assert.equal((await kv.range('/', { revision: r(6) })).items.map((e) => e.value), [6, 5]);
    let code: KvErrorCode | null = null;
    try {
      kv.watch('/', r(4), { events: () => {}, end: () => {} });
    } catch (err) {
      code = (err as KvError).code;
      assert.match((err as Error).message, 'mvcc: required revision has been compacted');
    }
    assert.is(code, 'compacted');
    const w = watchAll(kv, '/', r(5));
    await w.until(2);
    assert.equal(w.events.map((e) => [e.type, e.kv.key, e.kv.modRevision]), [['put', '/k0', r(6)], ['delete', '/k0', r(7)]]);
    w.cancel();
    assert.equal(await kv.compact(r(3)), { compactRevision: r(5), revision: r(7) });
    await rejects(kv.compact(r(8)), 'future-revision');
    await kv.compact(r(7));
    assert.equal((await kv.range('/')).items.map((r) => r.key), ['/k1']);
  });

  it('automatic compaction keeps the last historyLimit revisions', async (kv, r) => {
    for (let i = 1; i <= 20; i++) await kv.txn([{ op: 'put', key: '/a', value: i }]);
    assert.is(kv.compactRevision(), r(15));
    assert.equal((await kv.get('/a', r(15))).kv?.value, 15);
    await rejects(kv.get('/a', r(14)), 'compacted');
  }, { historyLimit: 5 });

  it('a watch from the past replays exactly, then continues live, in order, without gaps or duplicates', async (kv, r) => {
    // Revisions as the txns report them: a backend may skip some after a multi-op txn (jetstream.ts).
    const rev = async (ops: KvOp[]) => (await kv.txn(ops)).revision;
    const r1 = await rev([{ op: 'put', key: '/p/a', value: 1 }]);
    await rev([{ op: 'put', key: '/other', value: 1 }]);
    const r3 = await rev([{ op: 'put', key: '/p/a', value: 2 }, { op: 'put', key: '/p/b', value: 1 }]);
    const r4 = await rev([{ op: 'delete', key: '/p/a' }]);
    const w = watchAll(kv, '/p/', r1);
    await w.until(3);
    const r5 = await rev([{ op: 'put', key: '/p/c', value: 1 }]);
    await rev([{ op: 'put', key: '/other', value: 2 }]);
    const r7 = await rev([{ op: 'put', key: '/p/a', value: 3 }]);
    await w.until(5);
    assert.equal(
      w.events.map((e) => [e.type, e.kv.key, e.kv.modRevision, e.kv.version, e.kv.value, e.prev?.modRevision ?? null]),
      [
        ['put', '/p/a', r3, 2, 2, r1],
        ['put', '/p/b', r3, 1, 1, null],
        ['delete', '/p/a', r4, 0, 2, r3],
        ['put', '/p/c', r5, 1, 1, null],
        ['put', '/p/a', r7, 1, 3, null],
      ],
    );
    assert.ok(r1 < r3 && r3 < r4 && r4 < r5 && r5 < r7, `revisions grow: ${[r1, r3, r4, r5, r7]}`);
    // The replayed events are the very events a live watcher saw.
    const all = watchAll(kv, '/', r(0));
    await all.until(7);
    assert.equal(all.events.filter((e) => e.kv.key.startsWith('/p/') && e.kv.modRevision > r1), w.events);
    assert.is(w.ended, null);
  });

  it('many watches, some replaying while writes continue, each see every revision exactly once', async (kv, r) => {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) writes.push(kv.txn([{ op: 'put', key: `/w/${i % 7}`, value: i }]));
    await Promise.all(writes.slice(0, 100));
    const watchers = [0, 50, 99, 100].map((after) => ({ after, w: watchAll(kv, '/w/', r(after)) }));
    for (let i = 300; i < 400; i++) writes.push(kv.txn([{ op: 'put', key: `/w/${i % 7}`, value: i }]));
    await Promise.all(writes);
    for (const { after, w } of watchers) {
      await w.until(400 - after);
      const revs = w.events.map((e) => e.kv.modRevision);
      assert.equal(revs, Array.from({ length: 400 - after }, (_, i) => r(after + 1 + i)));
    }
  });

  it('many concurrent txns each get a distinct, consecutive revision; compares race correctly', async (kv) => {
    const base = (await kv.txn([{ op: 'put', key: '/race', value: 0 }])).revision;
    const puts = await Promise.all(Array.from({ length: 200 }, (_, i) => kv.txn([{ op: 'put', key: `/c/${i}`, value: i }])));
    const revs = puts.map((r) => r.revision).sort((a, b) => a - b);
    assert.equal(revs, Array.from({ length: 200 }, (_, i) => base + 1 + i));
    assert.is(kv.revision(), base + 200);
    const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => kv.txn([{ op: 'put', key: '/race', value: i + 1, ifModRevision: base }])));
    assert.is(racers.filter((r) => r.succeeded).length, 1);
    const creators = await Promise.all(Array.from({ length: 20 }, (_, i) => kv.txn([{ op: 'put', key: '/once', value: i, ifModRevision: 0 }])));
    assert.is(creators.filter((r) => r.succeeded).length, 1);
    assert.is(kv.revision(), base + 202);
  });

  it('a watch overtaken by compaction while replaying ends with compacted, never with a gap', async (kv, r) => {
    for (let i = 0; i < 40; i++) await Promise.all(Array.from({ length: 50 }, (_, j) => kv.txn([{ op: 'put', key: `/o/${j}`, value: i }])));
    const w = watchAll(kv, '/o/', r(0));
    await kv.compact(kv.revision() - 1);
    await w.settled(2000);
    const revs = w.events.map((e) => e.kv.modRevision);
    assert.equal(revs, Array.from({ length: revs.length }, (_, i) => r(i + 1)));
    if (revs.length < 2000) assert.is(w.ended?.code, 'compacted');
  });

  it('close ends every watch and refuses further use', async (kv, r) => {
    await kv.txn([{ op: 'put', key: '/a', value: 1 }]);
    const w = watchAll(kv, '/', r(1));
    await kv.close();
    assert.is(w.ended?.code, 'closed');
    await rejects(kv.txn([{ op: 'put', key: '/a', value: 2 }]), 'closed');
    await rejects(kv.get('/a'), 'closed');
  });

  s.run();
}

/** Collects one watch's events. */
export function watchAll(kv: KvBackend, prefix: string, after: number) {
  const events: KvEvent[] = [];
  const state = { ended: null as KvError | null };
  let wake: (() => void) | null = null;
  const handle = kv.watch(prefix, after, {
    events: (batch) => {
      events.push(...batch);
      wake?.();
    },
    end: (err) => {
      state.ended = err;
      wake?.();
    },
  });
  // Real time, but a pause ends as soon as an event or the end arrives.
  const pace: Pace = {
    now: realPace.now,
    sleep: (ms) => new Promise<void>((r) => {
      wake = r;
      setTimeout(r, ms);
    }),
  };
  const arrived = (n: number) =>
    eventually(() => events.length >= n || state.ended !== null, { timeoutMs: 5000, intervalMs: 20, pace, what: `watch ${prefix}@${after} to have ${n} events`, detail: () => `${events.length} events` });
  return {
    events,
    get ended() {
      return state.ended;
    },
    cancel: () => handle.cancel(),
    until: (n: number) => arrived(n).then(() => {
      if (events.length < n) throw new Error(`watch ended early: ${state.ended?.message}`);
    }),
    settled: (n: number) => arrived(n).then(() => {}),
  };
}

async function rejects(p: Promise<unknown>, code: KvErrorCode): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, KvError);
    assert.is((err as KvError).code, code);
    return;
  }
  assert.unreachable(`expected a KvError(${code})`);
}
