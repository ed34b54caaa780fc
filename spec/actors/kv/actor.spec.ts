import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { ActorHost } from '../../../actors/host.ts';
import { kvActor } from '../../../actors/kv/actor.ts';
import type { KvBackend, KvEvent } from '../../../actors/kv/backend.ts';
import { LmdbKv } from '../../../actors/kv/lmdb.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { memoryLogger } from '../../../actors/logger.ts';
import type { Envelope } from '../../../base/envelope.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { APISERVER_ADDRESS, KV_ADDRESS } from '../../../bus/permissions.ts';
import type { Result } from '../../../base/status.ts';
import type { KvContext } from '../../../machines/kv.ts';

function setup(backend: KvBackend = new MemoryKv()) {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const host = new ActorHost({ bus, clock, seed: 7, logger: memoryLogger() });
  host.spawn(kvActor(backend, { probeIntervalMs: 1000, probeTimeoutMs: 100 }));
  const inbox: Envelope[] = [];
  const api = bus.register(APISERVER_ADDRESS, (env) => inbox.push(env));
  const events = (id: string): KvEvent[] =>
    inbox.filter((e) => e.type === 'kv.events' && (e.payload as { id: string }).id === id).flatMap((e) => (e.payload as { events: KvEvent[] }).events);
  const context = (): KvContext => (host.get(KV_ADDRESS)!.snapshot as unknown as { context: KvContext }).context;
  return { clock, bus, host, backend, api, inbox, events, context };
}

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.status.code} ${r.status.message}`);
  return r.value;
};
const until = async (cond: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), `timed out waiting for ${what}`);
};

test('the apiserver can get, range, txn, watch, unwatch, compact and ask status', async () => {
  const { api, events, context, inbox } = setup();
  const created = value(await api.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'put', key: '/registry/pods/a', value: { n: 1 }, ifModRevision: 0 }] }));
  assert.equal(created, { succeeded: true, revision: 1, prev: [null] });
  const again = value(await api.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'put', key: '/registry/pods/a', value: { n: 2 }, ifModRevision: 0 }] }));
  assert.is(again.succeeded, false);
  assert.equal(value(await api.request(KV_ADDRESS, 'kv.get', { key: '/registry/pods/a' })).kv?.value, { n: 1 });

  const w = value(await api.request(KV_ADDRESS, 'kv.watch', { id: 'w1', prefix: '/registry/pods/', afterRevision: 0 }));
  assert.equal(w, { id: 'w1', revision: 1 });
  const dup = await api.request(KV_ADDRESS, 'kv.watch', { id: 'w1', prefix: '/x', afterRevision: 0 });
  assert.is(!dup.ok && dup.status.code, 400);
  for (const name of ['b', 'c', 'd']) await api.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'put', key: `/registry/pods/${name}`, value: name }] });
  await until(() => events('w1').length === 4, 'four watch events');
  assert.equal(events('w1').map((e) => e.kv.modRevision), [1, 2, 3, 4]);

  const page = value(await api.request(KV_ADDRESS, 'kv.range', { prefix: '/registry/pods/', limit: 3 }));
  assert.equal(page.items.map((r) => r.key), ['/registry/pods/a', '/registry/pods/b', '/registry/pods/c']);
  assert.is(page.remaining, 1);
  const rest = value(await api.request(KV_ADDRESS, 'kv.range', { prefix: '/registry/pods/', continue: page.continue! }));
  assert.equal(rest.items.map((r) => r.key), ['/registry/pods/d']);
  const bad = await api.request(KV_ADDRESS, 'kv.range', { prefix: '/registry/pods/', continue: 'nope' });
  assert.is(!bad.ok && bad.status.code, 400);

  api.send(KV_ADDRESS, 'kv.unwatch', { id: 'w1' });
  await api.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'delete', key: '/registry/pods/a' }] });
  await until(() => Object.keys(context().watches).length === 0, 'the unwatch');
  assert.is(events('w1').length, 4);

  assert.equal(value(await api.request(KV_ADDRESS, 'kv.compact', { revision: 3 })), { compactRevision: 3, revision: 5 });
  const old = await api.request(KV_ADDRESS, 'kv.get', { key: '/registry/pods/a', revision: 2 });
  assert.is(!old.ok && old.status.code, 410);
  assert.is(!old.ok && old.status.reason, 'Expired');
  const oldWatch = await api.request(KV_ADDRESS, 'kv.watch', { id: 'w2', prefix: '/', afterRevision: 1 });
  assert.is(!oldWatch.ok && oldWatch.status.code, 410);
  await until(() => !('apiserver#w2' in context().watches), 'the failed watch to be forgotten');
  assert.equal(value(await api.request(KV_ADDRESS, 'kv.status', {})), { revision: 5, compactRevision: 3, keys: 3, backend: 'memory' });
  const ctx = context();
  assert.is(ctx.counts['kv.txn'], 6);
  assert.is(ctx.counts['kv.watch'], 3);
  assert.is(ctx.watchesOpened, 2);
  assert.is(inbox.filter((e) => e.type === 'kv.watch-ended').length, 0);
});

test('every other actor is refused with 403, counted, and changes nothing', async () => {
  const { bus, api, backend } = setup();
  await api.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'put', key: '/registry/secrets/s', value: { data: 'x' } }] });
  const before = { revision: backend.revision(), items: (await backend.range('/')).items };
  const forgers = ['scheduler', 'controller.replicaset', 'kubelet.node-1', 'pod.5f0c2a9e-1b7d-4c1e-9a3b-0d9f6e2c4b11', 'proxy.node-1', 'kv-impostor', 'apiserver.evil', 'kv.shadow'];
  const forbiddenBefore = bus.stats().rejected.forbidden;
  let attempts = 0;
  for (const address of forgers) {
    const port = bus.register(address, () => {});
    const tries = [
      port.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'put', key: '/registry/secrets/s', value: { data: 'stolen' } }] }),
      port.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'delete', key: '/registry/secrets/s' }] }),
      port.request(KV_ADDRESS, 'kv.range', { prefix: '/registry/' }),
      port.request(KV_ADDRESS, 'kv.get', { key: '/registry/secrets/s' }),
      port.request(KV_ADDRESS, 'kv.watch', { id: 'spy', prefix: '/', afterRevision: 0 }),
      port.request(KV_ADDRESS, 'kv.compact', { revision: 1 }),
    ];
    port.send(KV_ADDRESS, 'kv.unwatch', { id: 'spy' });
    attempts += tries.length + 1;
    for (const r of await Promise.all(tries)) {
      assert.is(r.ok, false);
      assert.is(!r.ok && r.status.code, 403);
      assert.is(!r.ok && r.status.reason, 'Forbidden');
    }
    port.close();
  }
  assert.is(bus.stats().rejected.forbidden - forbiddenBefore, attempts);
  assert.equal({ revision: backend.revision(), items: (await backend.range('/')).items }, before);
  assert.is(backend.compactRevision(), 0);
});

test('a watcher whose address closes is found by the probe and cleaned up', async () => {
  const { bus, api, clock, context } = setup();
  value(await api.request(KV_ADDRESS, 'kv.watch', { id: 'w', prefix: '/', afterRevision: 0 }));
  assert.is(Object.keys(context().watches).length, 1);
  await clock.advance(1000);
  await until(() => true, 'a probe round');
  assert.is(Object.keys(context().watches).length, 1, 'a live watcher keeps its watch (a probe timeout is not an absence)');
  api.close();
  await clock.advance(1000);
  await until(() => Object.keys(context().watches).length === 0, 'the closed watcher to be dropped');
  assert.is(context().watchesEnded, 1);
  const back = bus.register(APISERVER_ADDRESS, () => {});
  assert.equal(value(await back.request(KV_ADDRESS, 'kv.watch', { id: 'w', prefix: '/', afterRevision: 0 })), { id: 'w', revision: 0 });
});

test('stopping the kv actor gracefully tells every watcher its watch ended', async () => {
  const { api, host, inbox } = setup();
  value(await api.request(KV_ADDRESS, 'kv.watch', { id: 'a', prefix: '/a', afterRevision: 0 }));
  value(await api.request(KV_ADDRESS, 'kv.watch', { id: 'b', prefix: '/b', afterRevision: 0 }));
  host.get(KV_ADDRESS)!.ref!.send({ type: 'stop' });
  await until(() => inbox.filter((e) => e.type === 'kv.watch-ended').length === 2, 'two watch-ended');
  assert.equal(inbox.filter((e) => e.type === 'kv.watch-ended').map((e) => e.payload), [
    { id: 'a', reason: 'kv actor stopped', code: 503 },
    { id: 'b', reason: 'kv actor stopped', code: 503 },
  ]);
  assert.is(host.get(KV_ADDRESS), undefined);
});

test('on lmdb through the bus: concurrent txns get consecutive revisions and a watcher sees each once, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kv-actor-'));
  const backend = new LmdbKv({ path: dir });
  try {
    const { api, events } = setup(backend);
    value(await api.request(KV_ADDRESS, 'kv.watch', { id: 'all', prefix: '/', afterRevision: 0 }));
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => api.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'put', key: `/k/${i % 10}`, value: i }] })),
    );
    assert.equal(replies.map((r) => value(r).revision).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i + 1));
    await until(() => events('all').length === 100, 'a hundred events');
    assert.equal(events('all').map((e) => e.kv.modRevision), Array.from({ length: 100 }, (_, i) => i + 1));
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
