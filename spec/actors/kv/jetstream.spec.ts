import { connect, type NatsConnection } from '@nats-io/transport-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JetStreamKv } from '../../../actors/kv/jetstream.ts';
import { decodeKvKey, encodeKvKey } from '../../../actors/kv/jetstream-keys.ts';
import { startNatsServer, type NatsServerHandle } from '../../helpers/nats-server.ts';
import { kvContract, watchAll } from './contract.ts';

// One JetStream server for the file (a fresh bucket per test), started on first use, stopped by PID at the end.
let server: NatsServerHandle | null = null;
let buckets = 0;
const nats = async (): Promise<NatsServerHandle> => (server ??= await startNatsServer({ jetstream: true }));

kvContract('jetstream', () => {
  let nc: NatsConnection | null = null;
  return {
    open: async (opts) => {
      nc = await connect({ servers: (await nats()).url });
      return JetStreamKv.open({ ...opts, nc, bucket: `contract-${++buckets}` });
    },
    cleanup: async () => void (await nc?.close()),
  };
});

test('jetstream keys: every Kubernetes key maps one-to-one onto a valid KV key', () => {
  const keys = ['/registry/pods/default/web-0', '/registry/apiregistration.k8s.io/apiservices/v1.apps', '/registry/clusterroles/system:controller:x', '/a//b/', 'plain', '/_x/_41', '/ünï/😀'];
  for (const key of keys) {
    const enc = encodeKvKey(key);
    assert.ok(/^[-/_=a-zA-Z0-9]+(\.[-/_=a-zA-Z0-9]+)*$/.test(enc), `${key} → ${enc} is not a valid KV key`);
    assert.is(decodeKvKey(enc), key);
  }
  assert.is(encodeKvKey('/registry/pods/default/web-0'), '_.registry.pods.default.web-0');
  assert.is(new Set(keys.map(encodeKvKey)).size, keys.length);
});

test('jetstream: a reopened bucket has every value, history, and a revision that only grows', async () => {
  const nc = await connect({ servers: (await nats()).url });
  try {
    const a = await JetStreamKv.open({ nc, bucket: 'reopen', historyLimit: 1000 });
    for (let i = 1; i <= 30; i++) await a.txn([{ op: 'put', key: `/k/${i % 5}`, value: { i } }]);
    const pair = await a.txn([{ op: 'put', key: '/k/0', value: 'p' }, { op: 'delete', key: '/k/1' }]);
    assert.is(pair.revision, 31);
    const after = await a.txn([{ op: 'put', key: '/k/new', value: 1, ifModRevision: 0 }]);
    // A multi-op txn takes its record's sequence and one per key: the next revision skips them.
    assert.is(after.revision, 34);
    const before = await a.range('/');
    const past = await a.range('/', { revision: 20 });
    await a.close();

    const b = await JetStreamKv.open({ nc, bucket: 'reopen', historyLimit: 1000 });
    assert.is(b.revision(), 34);
    assert.equal(await b.range('/'), before);
    assert.equal(await b.range('/', { revision: 20 }), past);
    assert.equal((await b.get('/k/0')).kv, { key: '/k/0', value: 'p', createRevision: 5, modRevision: 31, version: 7 });
    const w = watchAll(b, '/k/', 29);
    await w.until(4);
    assert.equal(w.events.map((e) => [e.type, e.kv.key, e.kv.modRevision]), [['put', '/k/0', 30], ['put', '/k/0', 31], ['delete', '/k/1', 31], ['put', '/k/new', 34]]);
    await b.close();
  } finally {
    await nc.close();
  }
});

test('jetstream: two kv actors on one bucket serialise their writes through the stream', async () => {
  const url = (await nats()).url;
  const [n1, n2] = [await connect({ servers: url }), await connect({ servers: url })];
  try {
    const a = await JetStreamKv.open({ nc: n1, bucket: 'two-writers' });
    const b = await JetStreamKv.open({ nc: n2, bucket: 'two-writers' });
    await a.txn([{ op: 'put', key: '/n', value: 0 }]);
    // Both increment one counter with compare-and-swap; every increment must count once.
    const bump = async (kv: JetStreamKv, times: number): Promise<void> => {
      for (let done = 0; done < times; ) {
        const cur = (await kv.get('/n')).kv;
        // This kv actor's index may not have the other's first write yet.
        if (!cur) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const r = await kv.txn([{ op: 'put', key: '/n', value: (cur.value as number) + 1, ifModRevision: cur.modRevision }]);
        if (r.succeeded) done++;
      }
    };
    await Promise.all([bump(a, 40), bump(b, 40)]);
    const w = watchAll(a, '/', 0);
    await w.until(81);
    assert.equal((await a.get('/n')).kv?.value, 80);
    await a.close();
    await b.close();
  } finally {
    await n1.close();
    await n2.close();
  }
});

test('the nats-server is stopped by PID', async () => {
  if (!server) return;
  const pid = server.pid;
  await server.stop();
  assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`);
});

test.run();
