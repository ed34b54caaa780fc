/**
 * A plain model of the kv contract (actors/kv/backend.ts) and a fast-check driver that runs
 * random command sequences against a backend and the model side by side: txns (single,
 * multi-op, bursts fired without waiting, which must apply in call order — single-key
 * histories linearizable in that order), reads now and in the past, paged ranges with
 * writes between the pages, compaction, and watches from every retained revision.
 * Shared by spec/actors/kv/model.property.spec.ts and the `kv` soak.
 */
import fc from 'fast-check';
import * as assert from 'uvu/assert';
import { KvError, type KvBackend, type KvEvent, type KvOp, type KvRecord, type KvTxnReply } from '../../../actors/kv/backend.ts';

/** The store as the contract describes it: a snapshot and the events of every revision. */
export class KvModel {
  rev = 0;
  compact = 0;
  readonly snapshots: Map<string, KvRecord>[] = [new Map()];
  readonly events: KvEvent[][] = [[]];

  constructor(readonly historyLimit: number) {}

  at(rev: number): Map<string, KvRecord> {
    return this.snapshots[rev]!;
  }

  txn(ops: KvOp[]): KvTxnReply {
    const cur = this.at(this.rev);
    for (const o of ops) {
      if (o.ifModRevision === undefined) continue;
      const rec = cur.get(o.key) ?? null;
      const held = o.ifModRevision === 0 ? rec === null : rec?.modRevision === o.ifModRevision;
      if (!held) return { succeeded: false, revision: this.rev, key: o.key, current: rec };
    }
    const prev = ops.map((o) => cur.get(o.key) ?? null);
    const changes = ops.some((o) => o.op === 'put' || cur.has(o.key));
    if (!changes) return { succeeded: true, revision: this.rev, prev };
    const rev = this.rev + 1;
    const next = new Map(cur);
    const evs: KvEvent[] = [];
    for (const [i, o] of ops.entries()) {
      const before = prev[i] ?? null;
      if (o.op === 'put') {
        const kv: KvRecord = { key: o.key, value: o.value, createRevision: before?.createRevision ?? rev, modRevision: rev, version: (before?.version ?? 0) + 1 };
        next.set(o.key, kv);
        evs.push(before ? { type: 'put', kv, prev: before } : { type: 'put', kv });
      } else if (before) {
        next.delete(o.key);
        evs.push({ type: 'delete', kv: { key: o.key, value: before.value, createRevision: 0, modRevision: rev, version: 0 }, prev: before });
      }
    }
    this.snapshots.push(next);
    this.events.push(evs);
    this.rev = rev;
    return { succeeded: true, revision: rev, prev };
  }

  /** Events under `prefix` after `after`, in revision order. */
  since(prefix: string, after: number): KvEvent[] {
    return this.events.slice(after + 1).flat().filter((e) => e.kv.key.startsWith(prefix));
  }
}

const KEYS = ['/a', '/a/b', '/a/c', '/b', '/b/x', '/c', '/ab'];
const PREFIXES = ['/', '/a', '/a/', '/b/', '/z'];
const key = fc.constantFrom(...KEYS);
/** A compare relative to the key's state when the command runs: none, create-only, current, stale, future. */
const compare = fc.constantFrom<Compare>('none', 'none', 'create', 'current', 'current', 'stale', 'future');
type Compare = 'none' | 'create' | 'current' | 'stale' | 'future';
const writeOp = fc.record({ op: fc.constantFrom('put', 'put', 'delete' as const), key, compare, n: fc.nat(99) });
type WriteOp = { op: 'put' | 'delete'; key: string; compare: Compare; n: number };

export type Command =
  | { c: 'txn'; ops: WriteOp[] }
  | { c: 'burst'; key: string; ops: Array<{ op: 'put' | 'delete'; compare: Compare; n: number }> }
  | { c: 'get'; key: string; back: number }
  | { c: 'range'; prefix: string; limit: number; back: number; writeBetween: boolean }
  | { c: 'compact'; back: number }
  | { c: 'watch'; prefix: string; back: number };

export const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ c: fc.constant('txn' as const), ops: fc.uniqueArray(writeOp, { selector: (o) => o.key, minLength: 1, maxLength: 3 }) }), weight: 6 },
  { arbitrary: fc.record({ c: fc.constant('burst' as const), key, ops: fc.array(fc.record({ op: fc.constantFrom('put', 'delete' as const), compare, n: fc.nat(99) }), { minLength: 2, maxLength: 5 }) }), weight: 2 },
  { arbitrary: fc.record({ c: fc.constant('get' as const), key, back: fc.integer({ min: -1, max: 12 }) }), weight: 2 },
  { arbitrary: fc.record({ c: fc.constant('range' as const), prefix: fc.constantFrom(...PREFIXES), limit: fc.integer({ min: 0, max: 3 }), back: fc.integer({ min: 0, max: 8 }), writeBetween: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ c: fc.constant('compact' as const), back: fc.integer({ min: -1, max: 10 }) }), weight: 1 },
  { arbitrary: fc.record({ c: fc.constant('watch' as const), prefix: fc.constantFrom(...PREFIXES), back: fc.integer({ min: 0, max: 12 }) }), weight: 1 },
);

function resolveOp(m: KvModel, o: { op: 'put' | 'delete'; key: string; compare: Compare; n: number }): KvOp {
  const rec = m.at(m.rev).get(o.key);
  const ifModRevision =
    o.compare === 'none' ? undefined
    : o.compare === 'create' ? 0
    : o.compare === 'current' ? (rec?.modRevision ?? 0)
    : o.compare === 'stale' ? Math.max(1, (rec?.modRevision ?? 2) - 1)
    : m.rev + 5;
  const base = ifModRevision === undefined ? {} : { ifModRevision };
  return o.op === 'put' ? { op: 'put', key: o.key, value: { n: o.n, at: m.rev }, ...base } : { op: 'delete', key: o.key, ...base };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof KvError) return e.code;
    throw e;
  }
}

/** Collects a watch until it holds `n` events or ends; real time, bounded. */
async function collect(kv: KvBackend, prefix: string, after: number, n: number): Promise<{ events: KvEvent[]; ended: string | null }> {
  const events: KvEvent[] = [];
  let ended: string | null = null;
  let wake: () => void = () => {};
  const h = kv.watch(prefix, after, { events: (b) => { events.push(...b); wake(); }, end: (e) => { ended = e.code; wake(); } });
  const deadline = Date.now() + 5000;
  while (events.length < n && ended === null && Date.now() < deadline) await new Promise<void>((r) => { wake = r; setTimeout(r, 50); });
  // Anything more than expected would be a duplicate: give it a moment to show.
  await new Promise((r) => setTimeout(r, 5));
  h.cancel();
  return { events, ended };
}

/** Lets the model follow the backend's own compaction, after checking it kept what the contract promises. */
function syncCompaction(m: KvModel, kv: KvBackend): void {
  const c = kv.compactRevision();
  assert.ok(c >= m.compact, `compact revision went back from ${m.compact} to ${c}`);
  assert.ok(c <= m.rev, `compact revision ${c} is past the store revision ${m.rev}`);
  assert.ok(m.rev - c <= m.historyLimit, `history ${m.rev - c} revisions is over the limit ${m.historyLimit}`);
  m.compact = c;
}

/** Runs `cmds` against `kv` and a fresh model, comparing every answer. */
export async function runCommands(kv: KvBackend, cmds: Command[], historyLimit: number): Promise<void> {
  const m = new KvModel(historyLimit);
  const live: KvEvent[] = [];
  const liveWatch = kv.watch('/', 0, { events: (b) => live.push(...b), end: (e) => assert.unreachable(`the live watch ended: ${e.message}`) });
  for (const cmd of cmds) {
    switch (cmd.c) {
      case 'txn': {
        const ops = cmd.ops.map((o) => resolveOp(m, o));
        const want = m.txn(ops);
        assert.equal(await kv.txn(ops), want, `txn ${JSON.stringify(ops)}`);
        break;
      }
      case 'burst': {
        // Fired together: the store applies them in call order, so each compare sees the one before.
        const ops: KvOp[] = [];
        const wants: KvTxnReply[] = [];
        const sent: Promise<KvTxnReply>[] = [];
        for (const o of cmd.ops) {
          const op = resolveOp(m, { ...o, key: cmd.key });
          ops.push(op);
          sent.push(kv.txn([op]));
          wants.push(m.txn([op]));
        }
        assert.equal(await Promise.all(sent), wants, `burst ${JSON.stringify(ops)}`);
        break;
      }
      case 'get': {
        const rev = cmd.back < 0 ? m.rev + 1 : Math.max(1, m.rev - cmd.back);
        if (m.rev === 0) break;
        const code = rev > m.rev ? 'future-revision' : rev < m.compact ? 'compacted' : 'ok';
        if (code !== 'ok') assert.is(await codeOf(kv.get(cmd.key, rev)), code, `get ${cmd.key}@${rev}`);
        else assert.equal(await kv.get(cmd.key, rev), { kv: m.at(rev).get(cmd.key) ?? null, revision: m.rev }, `get ${cmd.key}@${rev}`);
        break;
      }
      case 'range': {
        const rev = cmd.back === 0 ? undefined : m.rev - cmd.back;
        if (rev !== undefined && (rev < Math.max(1, m.compact))) {
          if (rev >= 1) assert.is(await codeOf(kv.range(cmd.prefix, { revision: rev })), 'compacted');
          break;
        }
        const at = rev ?? m.rev;
        const want = [...m.at(at).values()].filter((r) => r.key.startsWith(cmd.prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
        const got: KvRecord[] = [];
        let page = await kv.range(cmd.prefix, { ...(cmd.limit ? { limit: cmd.limit } : {}), ...(rev ? { revision: rev } : {}) });
        for (;;) {
          assert.is(page.revision, at, 'every page is read at the first page\'s revision');
          got.push(...page.items);
          if (!page.continue) break;
          assert.is(page.remaining, want.length - got.length, 'remaining');
          if (cmd.writeBetween) {
            const op: KvOp = { op: 'put', key: cmd.prefix.endsWith('/') ? `${cmd.prefix}between` : `${cmd.prefix}/between`, value: m.rev };
            assert.equal(await kv.txn([op]), m.txn([op]));
            syncCompaction(m, kv);
            if (at < m.compact) break; // the snapshot was compacted under the pages: nothing more to compare
          }
          page = await kv.range(cmd.prefix, { limit: cmd.limit, continue: page.continue });
        }
        if (at >= m.compact) assert.equal(got, want, `range ${cmd.prefix}@${at} limit ${cmd.limit}`);
        break;
      }
      case 'compact': {
        const to = cmd.back < 0 ? m.rev + 1 : m.rev - cmd.back;
        if (to > m.rev) assert.is(await codeOf(kv.compact(to)), 'future-revision');
        else {
          const r = await kv.compact(to);
          m.compact = Math.max(m.compact, to);
          assert.equal(r, { compactRevision: Math.max(kv.compactRevision(), m.compact), revision: m.rev });
        }
        break;
      }
      case 'watch': {
        const after = Math.max(0, m.rev - cmd.back);
        if (after < m.compact) {
          assert.throws(() => kv.watch(cmd.prefix, after, { events: () => {}, end: () => {} }), (e: unknown) => e instanceof KvError && e.code === 'compacted');
          break;
        }
        const want = m.since(cmd.prefix, after);
        const got = await collect(kv, cmd.prefix, after, want.length);
        assert.is(got.ended, null);
        assert.equal(got.events, want, `watch ${cmd.prefix} after ${after}`);
        break;
      }
    }
    syncCompaction(m, kv);
  }
  // The watch opened at 0 saw every revision, in order, once.
  const deadline = Date.now() + 5000;
  const total = m.since('/', 0).length;
  while (live.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  liveWatch.cancel();
  assert.equal(live, m.since('/', 0), 'the watch from revision 0');
}
