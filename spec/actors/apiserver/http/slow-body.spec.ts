/**
 * Slow and unauthenticated request bodies, over raw TLS sockets: a request without valid
 * credentials is refused on its headers and its connection closed without waiting for the
 * body; an authenticated body that has not arrived within --request-timeout (virtual time)
 * is a 504 Timeout Status and a closed connection, and nothing is written; watches are
 * long-running and outlive the request timeout.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { VirtualClock } from '../../../../actors/clock/virtual.ts';
import { startHttpFront, type HttpFront } from '../../../../actors/apiserver/http/server.ts';
import { startFakeApiserver, type FakeApiserver } from './fake-apiserver.ts';
import { client, stream } from './client.ts';
import { eventually } from '../../../helpers/wait.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-slow-body-'));
const bus = new InProcessBus();
const clock = new VirtualClock();
let fake: FakeApiserver;
let front: HttpFront;
const CMS = '/api/v1/namespaces/default/configmaps';

test.before(async () => {
  fake = startFakeApiserver(bus);
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir, clock });
});
test.after(async () => {
  await front.close();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A raw TLS connection that sends `head` and `body` and never the rest of the declared body. */
function trickle(head: Record<string, string>, declared: number, body: string) {
  let received = '';
  let closed = false;
  const socket = connect({ host: '127.0.0.1', port: front.port, ca: front.caCert, servername: 'localhost' }, () => {
    const lines = [`POST ${CMS} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${declared}`];
    for (const [k, v] of Object.entries(head)) lines.push(`${k}: ${v}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n' + body);
  });
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  return {
    get received() { return received; },
    get closed() { return closed; },
    status: () => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
    json: () => JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)),
    destroy: () => socket.destroy(),
  };
}

const PARTIAL = '{"metadata":{"name":"slow"'; // of a declared 1000 bytes

const UNAUTHENTICATED: [string, Record<string, string>][] = [
  ['no credentials', {}],
  ['a wrong token', { Authorization: 'Bearer wrong' }],
  ['a malformed Authorization header', { Authorization: 'Basic Zm9vOmJhcg==' }],
];

for (const [what, head] of UNAUTHENTICATED) {
  test(`${what} and half a body: 401 at once, connection closed, body never awaited`, async () => {
    const c = trickle(head, 1000, PARTIAL);
    await eventually(() => c.closed, { timeoutMs: 5000 });
    assert.is(c.status(), 401, c.received);
    assert.match(c.received, /\r\nConnection: close\r\n/i);
    assert.equal(c.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
  });
}

test('an authenticated body still arriving at --request-timeout (60 s): 504 Timeout Status, connection closed, nothing written', async () => {
  const before = clock.pending;
  const c = trickle({ Authorization: 'Bearer secret' }, 1000, PARTIAL);
  await eventually(() => clock.pending > before);
  await clock.advance(59_999);
  assert.is(c.received, '');
  assert.is(c.closed, false);
  await clock.advance(1);
  await eventually(() => c.closed, { timeoutMs: 5000 });
  assert.is(c.status(), 504, c.received);
  assert.equal(c.json(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 504, reason: 'Timeout',
    message: 'Timeout: request did not complete within the allotted timeout', details: {},
  });
  assert.equal([...fake.objects.keys()].filter((k) => k.includes('configmaps')), []);
  assert.equal(fake.requests.filter((e) => e.type === 'api.create' && (e.payload as { target: { resource: string } }).target.resource === 'configmaps'), []);
});

test('a request timeout option: 2 s bounds the body read the same way', async () => {
  const short = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir, clock, busAddress: 'edge.http-short', requestTimeoutMs: 2_000 });
  const saved = front;
  front = short;
  try {
    const before = clock.pending;
    const c = trickle({ Authorization: 'Bearer secret' }, 1000, PARTIAL);
    await eventually(() => clock.pending > before);
    await clock.advance(2_000);
    await eventually(() => c.closed, { timeoutMs: 5000 });
    assert.is(c.status(), 504);
  } finally {
    front = saved;
    await short.close();
  }
});

test('a complete request answers and keeps its deadline from firing later', async () => {
  const call = client(front.url, front.caCert, 'secret');
  const r = await call('POST', CMS, { body: '{"metadata":{"name":"quick"}}', headers: { 'content-type': 'application/json' } });
  assert.is(r.status, 201);
  await eventually(() => clock.pending === 0);
});

test('a watch is long-running: the request timeout never cuts it', async () => {
  const w = stream(front.url, front.caCert, 'secret', `${CMS}?watch=true&resourceVersion=100&timeoutSeconds=600`);
  await w.head;
  assert.is(w.status, 200);
  await clock.advance(120_000);
  await new Promise((r) => setTimeout(r, 50));
  assert.is(w.ended, false);
  await clock.advance(480_000);
  await eventually(() => w.ended);
});

test.run();
