import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import type { Port } from '../../../../bus/bus.ts';
import { ok } from '../../../../base/status.ts';
import { startHttpFront, type HttpFront } from '../../../../actors/apiserver/http/server.ts';
import { startFakeApiserver, type FakeApiserver } from './fake-apiserver.ts';
import { client, until } from './client.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-logs-'));
const bus = new InProcessBus();
let fake: FakeApiserver;
let front: HttpFront;
let call: ReturnType<typeof client>;
const asked: any[] = [];
const stopped: string[] = [];
let kubelet: Port;

test.before(async () => {
  fake = startFakeApiserver(bus);
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 't', dataDir });
  call = client(front.url, front.caCert, 't');
  // The kubelet side of bus/catalogue/logs.ts, by hand (its types join the catalogue later).
  kubelet = bus.register('kubelet.n1', (env) => {
    const p = env.payload as any;
    if (env.type === 'kubelet.logs-stop') return void stopped.push(p.id);
    asked.push(p);
    kubelet.reply(env, ok({ id: p.id, text: 'line 1\n' }) as never);
  });
  const pod = (name: string, nodeName?: string) => JSON.stringify({ metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c' }, { name: 'd' }] } });
  await call('POST', '/api/v1/namespaces/default/pods', { body: pod('p', 'n1') });
  await call('POST', '/api/v1/namespaces/default/pods', { body: pod('unbound') });
  await call('POST', '/api/v1/namespaces/default/pods', { body: pod('elsewhere', 'n2') });
});
test.after(async () => {
  await front.close();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('asks the pod node\'s kubelet and answers text/plain', async () => {
  const r = await call('GET', '/api/v1/namespaces/default/pods/p/log?container=d&tailLines=5&timestamps=true');
  assert.is(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/plain/);
  assert.is(r.text, 'line 1\n');
  assert.equal({ ...asked.at(-1), id: 'x', uid: undefined }, { id: 'x', namespace: 'default', pod: 'p', uid: undefined, container: 'd', timestamps: true, tailLines: 5 });
});

test('a container must be named when the pod has several; an unknown one is a 400', async () => {
  const r = await call('GET', '/api/v1/namespaces/default/pods/p/log');
  assert.is(r.status, 400);
  assert.is(r.json().message, 'a container name must be specified for pod p, choose one of: [c d]');
  assert.is((await call('GET', '/api/v1/namespaces/default/pods/p/log?container=zz')).status, 400);
});

test('clear Statuses without a node or without a kubelet', async () => {
  const unbound = await call('GET', '/api/v1/namespaces/default/pods/unbound/log?container=c');
  assert.is(unbound.json().message, 'pod unbound does not have a host assigned');
  const none = await call('GET', '/api/v1/namespaces/default/pods/elsewhere/log?container=c');
  assert.is(none.status, 503);
  assert.match(none.json().message, 'no kubelet answers for node "n2"');
});

test('follow streams chunks until the kubelet ends; a client going away stops it', async () => {
  let body = '';
  let ended = false;
  const req = request(new URL('/api/v1/namespaces/default/pods/p/log?container=c&follow=true', front.url), { ca: front.caCert, headers: { authorization: 'Bearer t' } }, (res) => {
    res.on('data', (d: Buffer) => (body += d));
    res.on('end', () => (ended = true));
  });
  req.end();
  await until(() => body === 'line 1\n');
  const id = asked.at(-1).id;
  assert.is(asked.at(-1).follow, true);
  (kubelet as any).send('edge.http', 'kubelet.log-chunk', { id, text: 'line 2\n' });
  await until(() => body === 'line 1\nline 2\n');
  (kubelet as any).send('edge.http', 'kubelet.log-end', { id });
  await until(() => ended);

  const req2 = request(new URL('/api/v1/namespaces/default/pods/p/log?container=c&follow=1', front.url), { ca: front.caCert, headers: { authorization: 'Bearer t' } }, (res) => res.resume());
  req2.end();
  await until(() => asked.length > 0 && asked.at(-1).id !== id);
  await new Promise((r) => setTimeout(r, 50));
  req2.destroy();
  await until(() => stopped.includes(asked.at(-1).id));
});

test.run();
