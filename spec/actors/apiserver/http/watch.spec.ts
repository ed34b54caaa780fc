import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { VirtualClock } from '../../../../actors/clock/virtual.ts';
import { startHttpFront, type HttpFront } from '../../../../actors/apiserver/http/server.ts';
import { startFakeApiserver, type FakeApiserver } from './fake-apiserver.ts';
import { client, stream } from './client.ts';
import { eventually } from '../../../helpers/wait.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-watch-'));
const bus = new InProcessBus();
// Times the front's watches: a timeoutSeconds passes when the spec says so, not in real time.
const clock = new VirtualClock();
let fake: FakeApiserver;
let front: HttpFront;
let call: ReturnType<typeof client>;
const open = (path: string, headers: Record<string, string> = {}) => stream(front.url, front.caCert, 'secret', path, headers);
const CMS = '/api/v1/namespaces/default/configmaps';
const json = { 'content-type': 'application/json' };

test.before(async () => {
  fake = startFakeApiserver(bus);
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir, clock });
  call = client(front.url, front.caCert, 'secret');
  await call('POST', CMS, { body: '{"metadata":{"name":"one"}}', headers: json });
});
test.after(async () => {
  await front.close();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('headers come at once; ADDED replay without resourceVersion, then MODIFIED', async () => {
  const w = open(`${CMS}?watch=true`);
  await w.head;
  assert.is(w.status, 200);
  await eventually(() => w.lines.length === 1);
  assert.is(w.lines[0].type, 'ADDED');
  assert.is(w.lines[0].object.metadata.name, 'one');
  await call('PATCH', `${CMS}/one`, { body: '{"data":{"a":"b"}}', headers: { 'content-type': 'application/merge-patch+json' } });
  await eventually(() => w.lines.length === 2);
  assert.is(w.lines[1].type, 'MODIFIED');
  assert.equal(w.lines[1].object.data, { a: 'b' });
  w.close();
});

test('client disconnect sends api.unwatch', async () => {
  await eventually(() => fake.watches.size === 0);
  const before = 0;
  const w = open(`${CMS}?watch=1&resourceVersion=100`);
  await w.head;
  await eventually(() => fake.watches.size === before + 1);
  w.close();
  await eventually(() => fake.watches.size === before);
  assert.ok(fake.requests.some((e) => e.type === 'api.unwatch'));
});

test('timeoutSeconds ends the stream, cleanly, when that much time has passed and not before', async () => {
  const w = open(`${CMS}?watch=True&timeoutSeconds=1&resourceVersion=100`);
  await w.head;
  await eventually(() => fake.watches.size > 0);
  await clock.advance(999);
  // Still open a moment before: a change made now reaches it.
  await call('PATCH', `${CMS}/one`, { body: '{"data":{"t":"999"}}', headers: { 'content-type': 'application/merge-patch+json' } });
  await eventually(() => w.lines.length === 1);
  assert.not.ok(w.ended, 'open at 999 ms');
  await clock.advance(1);
  await eventually(() => w.ended);
  assert.is(w.status, 200);
  assert.equal(w.lines.map((l) => `${l.type} ${l.object.data?.t}`), ['MODIFIED 999'], 'no ERROR event: a timeout is not a failure');
  await eventually(() => fake.watches.size === 0, { what: 'the api.unwatch for the timed-out watch' });
});

test('a too-old resourceVersion is an ERROR event with the 410 Status', async () => {
  const w = open(`${CMS}?watch=true&resourceVersion=1`);
  await eventually(() => w.ended);
  assert.is(w.status, 200);
  assert.is(w.lines[0].type, 'ERROR');
  assert.is(w.lines[0].object.code, 410);
  assert.is(w.lines[0].object.reason, 'Expired');
});

test('the apiserver ending a watch becomes an ERROR event and the end of the stream', async () => {
  const w = open(`${CMS}?watch=true&resourceVersion=100`);
  await w.head;
  await eventually(() => fake.watches.size > 0);
  for (const id of [...fake.watches.keys()]) fake.endWatch(id);
  await eventually(() => w.ended);
  assert.is(w.lines.at(-1).type, 'ERROR');
});

test('Table watches: each event carries a one-row Table, columns only on the first', async () => {
  const w = open(`${CMS}?watch=true`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  await eventually(() => w.lines.length === 1);
  await call('POST', CMS, { body: '{"metadata":{"name":"two"}}', headers: json });
  await eventually(() => w.lines.length === 2);
  const [first, second] = w.lines;
  assert.is(first.object.kind, 'Table');
  assert.equal(first.object.columnDefinitions.map((c: any) => c.name), ['Name', 'Data', 'Age']);
  assert.is(first.object.rows.length, 1);
  assert.equal(second.object.columnDefinitions, []);
  assert.is(second.type, 'ADDED');
  assert.is(second.object.rows[0].cells[0], 'two');
  assert.is(second.object.rows[0].object.kind, 'PartialObjectMetadata');
  w.close();
});

test.run();
