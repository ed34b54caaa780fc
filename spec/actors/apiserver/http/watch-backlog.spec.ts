/**
 * A watch client that never reads must not make the front hold without bound what it is
 * sent: once its socket has more than the front's watch backlog waiting, the stream is
 * closed (kube-apiserver closes an unresponsive watcher the same way; the client re-lists).
 * A stream whose batches skip a number (one lost on the bus) is ended too.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { startHttpFront, type HttpFront } from '../../../../actors/apiserver/http/server.ts';
import { startFakeApiserver, type FakeApiserver } from './fake-apiserver.ts';
import { client, until } from './client.ts';
import { ActorHost } from '../../../../actors/host.ts';
import { realClock } from '../../../../base/real-clock.ts';
import { silentLogger } from '../../../../actors/logger.ts';
import { MemoryKv } from '../../../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../../../actors/apiserver/start.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-backlog-'));
const bus = new InProcessBus();
const BACKLOG = 1024 * 1024;
const CMS = '/api/v1/namespaces/default/configmaps';
let fake: FakeApiserver;
let front: HttpFront;

test.before(async () => {
  fake = startFakeApiserver(bus);
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir, watchBacklogBytes: BACKLOG });
});
test.after(async () => {
  await front.close();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const big = (i: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'big', namespace: 'default', resourceVersion: String(1000 + i) },
  data: { blob: 'x'.repeat(512 * 1024) },
});

test('a watcher that never reads, while big ConfigMaps are updated, is cut off once its backlog passes the bound', async () => {
  // The real apiserver behind its own front: the updates go through the whole path.
  const realBus = new InProcessBus();
  const host = new ActorHost({ bus: realBus, clock: realClock, seed: 1, logger: silentLogger });
  const core = startControlPlaneCore({ bus: realBus, host, backend: new MemoryKv() });
  await core.ready();
  const real = await startHttpFront({ bus: realBus, port: 0, address: '127.0.0.1', token: 'secret', dataDir, watchBacklogBytes: BACKLOG });
  try {
    const call = client(real.url, real.caCert, 'secret');
    const json = { 'content-type': 'application/json' };
    const created = await call('POST', CMS, { body: JSON.stringify({ metadata: { name: 'big' }, data: { blob: '' } }), headers: json });
    assert.is(created.status, 201, created.text);
    let rv = created.json().metadata.resourceVersion as string;

    const socket = connect({ host: '127.0.0.1', port: real.port, ca: real.caCert, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.write(`GET ${CMS}?watch=true&resourceVersion=${rv} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\n\r\n`);
    // Read the response head, then stop reading for good.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    assert.is(core.apiserver().context.watchers.size, 1);

    // Up to ~64 MB of 512 KiB updates: far past what the kernel's socket buffers absorb.
    for (let i = 0; i < 128 && real.watchStats().cutSlow === 0; i++) {
      const body = JSON.stringify({ metadata: { name: 'big', resourceVersion: rv }, data: { blob: String(i % 10).repeat(512 * 1024) } });
      const put = await call('PUT', `${CMS}/big`, { body, headers: json });
      assert.is(put.status, 200, put.text.slice(0, 300));
      rv = put.json().metadata.resourceVersion;
    }
    const stats = real.watchStats();
    assert.is(stats.cutSlow, 1, 'one stream cut for not reading');
    assert.is(stats.open, 0);
    assert.is(stats.buffered, 0, 'nothing held for it any more');
    // It was cut as soon as a write left more than the bound waiting: at most one event past it.
    assert.ok(stats.peakBacklog <= BACKLOG + 600 * 1024, `peak backlog ${stats.peakBacklog} stays near the bound ${BACKLOG}`);
    // The client finds its stream ended once it reads again, and the apiserver no longer feeds it.
    socket.resume();
    await until(() => closed, 5000);
    await until(() => core.apiserver().context.watchers.size === 0);
  } finally {
    await real.close();
    core.stop();
    await realBus.close();
  }
});

test('a batch lost on the bus (a number skipped) ends the stream, so the client watches again from what it saw', async () => {
  await until(() => fake.watches.size === 0);
  const socket = connect({ host: '127.0.0.1', port: front.port, ca: front.caCert, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  let text = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.on('close', () => (closed = true));
  socket.write('GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion=100 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\n\r\n');
  await until(() => fake.watches.size === 1);
  const [id] = [...fake.watches.keys()];
  const small = (rv: number) => ({ ...big(rv), data: { a: String(rv) } });
  fake.port.send('edge.http', 'api.watch-events', { id: id!, events: [{ type: 'MODIFIED', object: small(1) }], seq: 1 });
  await until(() => text.includes('"resourceVersion":"1001"'));
  fake.port.send('edge.http', 'api.watch-events', { id: id!, events: [{ type: 'MODIFIED', object: small(3) }], seq: 3 });
  await until(() => closed);
  assert.not.match(text, '"resourceVersion":"1003"');
  await until(() => fake.watches.size === 0);
  socket.destroy();
});

test.run();
