import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EtcdKv } from '../../../actors/kv/etcd.ts';
import { KvError } from '../../../actors/kv/backend.ts';
import { etcdLeftovers, startEtcd } from '../../helpers/etcd.ts';
import { kvContract, watchAll } from './contract.ts';

// One real etcd for the file; each contract test gets its own key prefix in it, so it starts
// empty (at etcd's current revision) while compaction, being etcd's, is shared.
const etcd = await startEtcd();
let n = 0;

kvContract('etcd', () => {
  const prefix = `/kubeactor-contract/${++n}`;
  return {
    open: (opts) => EtcdKv.open({ ...opts, endpoints: etcd.endpoints, root: '', prefix }),
    cleanup: async () => {},
  };
});

const s = suite('kv on etcd');

s('keys live under the etcd prefix, as kube-apiserver lays them out; other prefixes are not seen', async () => {
  const a = await EtcdKv.open({ endpoints: etcd.endpoints });
  const b = await EtcdKv.open({ endpoints: etcd.endpoints, prefix: '/other-cluster' });
  try {
    await a.txn([{ op: 'put', key: '/registry/pods/default/web', value: { kind: 'Pod' } }]);
    const put = await b.txn([{ op: 'put', key: '/registry/pods/default/web', value: { kind: 'Other' } }]);
    // Revisions are etcd's own: one counter across both prefixes, and a's revision() follows what it sees.
    assert.is((await a.get('/registry/pods/default/web')).revision, put.revision);
    assert.equal((await a.range('/registry/pods/')).items.map((r) => r.value), [{ kind: 'Pod' }]);
    assert.equal((await b.range('/registry/pods/')).items.map((r) => r.value), [{ kind: 'Other' }]);
    assert.is(await b.keyCount(), 1);
    // The raw etcd keys, read through a store rooted at '' with no prefix.
    const raw = await EtcdKv.open({ endpoints: etcd.endpoints, root: '', prefix: '' });
    const keys = (await raw.range('/')).items.map((r) => r.key).filter((k) => k.endsWith('/pods/default/web'));
    assert.equal(keys, ['/other-cluster/pods/default/web', '/registry/pods/default/web']);
    await raw.close();
    try {
      await a.txn([{ op: 'put', key: '/elsewhere', value: 1 }]);
      assert.unreachable('a key outside /registry was accepted');
    } catch (err) {
      assert.is((err as KvError).code, 'bad-request');
    }
  } finally {
    await a.close();
    await b.close();
  }
});

s('encrypted values (bytes) are stored as they are and read back as bytes', async () => {
  const kv = await EtcdKv.open({ endpoints: etcd.endpoints, prefix: '/bytes' });
  try {
    const sealed = new Uint8Array(Buffer.from('k8s:enc:aescbc:v1:key1:\u0000\u00ff binary'));
    await kv.txn([{ op: 'put', key: '/registry/secrets/default/s', value: sealed }]);
    assert.equal((await kv.get('/registry/secrets/default/s')).kv?.value, sealed);
  } finally {
    await kv.close();
  }
});

s('a second client sees the first one\'s writes through its watch and learns its compaction', async () => {
  const a = await EtcdKv.open({ endpoints: etcd.endpoints, prefix: '/shared' });
  const b = await EtcdKv.open({ endpoints: etcd.endpoints, prefix: '/shared' });
  try {
    const w = watchAll(b, '/registry/', b.revision());
    const first = await a.txn([{ op: 'put', key: '/registry/x', value: 1 }]);
    const second = await a.txn([{ op: 'put', key: '/registry/x', value: 2 }]);
    await w.until(2);
    assert.equal(w.events.map((e) => e.kv.modRevision), [first.revision, second.revision]);
    assert.ok(b.revision() >= second.revision);
    await a.compact(second.revision);
    w.cancel();
    // b did not compact; etcd refuses the old read, and b knows why.
    try {
      await b.get('/registry/x', first.revision);
      assert.unreachable('read below the compaction');
    } catch (err) {
      assert.is((err as KvError).code, 'compacted');
    }
    const c = await EtcdKv.open({ endpoints: etcd.endpoints, prefix: '/shared' });
    assert.is(c.compactRevision(), second.revision);
    await c.close();
  } finally {
    await a.close();
    await b.close();
  }
});

s('an unreachable etcd fails the open as unavailable (503 at the edge), not a hang', async () => {
  const t0 = Date.now();
  try {
    await EtcdKv.open({ endpoints: ['http://127.0.0.1:1'], requestTimeoutMs: 2000 });
    assert.unreachable('opened an etcd that is not there');
  } catch (err) {
    assert.is((err as KvError).code, 'unavailable');
  }
  assert.ok(Date.now() - t0 < 10_000);
});

s('etcd stops, and no member is left', async () => {
  await etcd.stop();
  assert.equal(etcdLeftovers(), []);
});

s.run();
