import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LmdbKv } from '../../../actors/kv/lmdb.ts';
import { kvContract, watchAll } from './contract.ts';

kvContract('lmdb', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kv-'));
  return {
    open: async (opts) => new LmdbKv({ ...opts, path: dir }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

test('lmdb: reopening the data directory restores values, history, compaction and the revision', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kv-'));
  try {
    const a = new LmdbKv({ path: dir, historyLimit: 50 });
    for (let i = 1; i <= 60; i++) await a.txn([{ op: 'put', key: `/k/${i % 5}`, value: { i } }]);
    await a.txn([{ op: 'delete', key: '/k/0' }]);
    const before = await a.range('/');
    const past = await a.range('/', { revision: 30 });
    await a.close();

    const b = new LmdbKv({ path: dir, historyLimit: 50 });
    assert.is(b.revision(), 61);
    assert.is(b.compactRevision(), 11);
    assert.equal(await b.range('/'), before);
    assert.equal(await b.range('/', { revision: 30 }), past);
    const w = watchAll(b, '/k/', 58);
    await w.until(3);
    assert.equal(w.events.map((e) => [e.type, e.kv.key, e.kv.modRevision]), [['put', '/k/4', 59], ['put', '/k/0', 60], ['delete', '/k/0', 61]]);
    const next = await b.txn([{ op: 'put', key: '/k/new', value: 1, ifModRevision: 0 }]);
    assert.is(next.revision, 62);
    await w.until(4);
    assert.equal(w.events.slice(3).map((e) => [e.type, e.kv.key, e.kv.modRevision]), [['put', '/k/new', 62]]);
    assert.is(await b.keyCount(), 5);
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
