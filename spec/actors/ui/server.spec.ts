/**
 * The UI server over a real WebSocket: the first screen of a 5,000-node, 50,000-pod cluster
 * costs the tab under 1 MB (server-side aggregation, windows of rows); changes are pushed;
 * bad requests get Kubernetes Status errors and change nothing; a token, when the server has
 * one, is asked for on the page and the socket; a socket from another origin is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { ActorHost } from '../../../actors/host.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { realClock } from '../../../base/real-clock.ts';
import { ActorFeed } from '../../../actors/ui/actor-feed.ts';
import { ClusterModel } from '../../../actors/ui/cluster-model.ts';
import { MessageStore } from '../../../actors/ui/messages.ts';
import { startUiServer, type UiServer } from '../../../actors/ui/server.ts';
import type { UiSource } from '../../../actors/ui/source.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
const NODES = 5000, PODS = 50_000;
const node = (i: number) => ({ kind: 'Node', metadata: { name: `node-${i}` }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const pod = (i: number, phase = 'Running') => ({
  kind: 'Pod',
  metadata: { namespace: 'default', name: `web-${i}`, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1', controller: true, uid: 'u' }] },
  spec: { nodeName: `node-${i % NODES}`, containers: [{ name: 'app' }] },
  status: { phase, containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
});

const bus = new InProcessBus();
const host = new ActorHost({ bus, clock: realClock, seed: 1 });
const model = new ClusterModel();
for (let i = 0; i < NODES; i++) model.apply('Node', 'add', node(i));
for (let i = 0; i < PODS; i++) model.apply('Pod', 'add', pod(i));
const feed = new ActorFeed({ host, clock: realClock });
const source: UiSource = { mode: 'live', title: 'spec', cluster: model, actors: feed, messages: new MessageStore(), close: async () => {} };
let server: UiServer;

test.before(async () => {
  server = await startUiServer(source, { port: 0, frameMs: 50 });
});
test.after(async () => {
  await server.close();
  feed.close();
  await bus.close();
});

/** A tab's socket: requests answered in order, pushes collected. */
async function tab(url = server.url.replace('http', 'ws'), headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  let bytes = 0, id = 0;
  const pushes: { push: string; [k: string]: unknown }[] = [];
  const waiting = new Map<number, (f: unknown) => void>();
  ws.on('message', (d) => {
    bytes += d.toString().length;
    const f = JSON.parse(d.toString());
    if ('push' in f) pushes.push(f);
    else waiting.get(f.id)?.(f);
  });
  return {
    call: (req: Record<string, unknown>) => new Promise<{ result?: any; error?: any }>((r) => { const n = ++id; waiting.set(n, r as (f: unknown) => void); ws.send(JSON.stringify({ ...req, id: n })); }),
    pushes,
    bytes: () => bytes,
    close: () => ws.close(),
  };
}

test(`the first screen of ${NODES} nodes and ${PODS} pods is under 1 MB`, async () => {
  const t = await tab();
  const hello = (await t.call({ op: 'hello' })).result;
  assert.equal(hello.summary.nodes, { total: NODES, ready: NODES });
  assert.is(hello.summary.pods.total, PODS);
  assert.equal(hello.summary.pods.byPhase, { Running: PODS });
  // What the app asks for on opening: a screenful of each list.
  for (const list of ['nodes', 'workloads', 'services', 'events']) {
    const w = (await t.call({ op: 'window', list, offset: 0, limit: 60 })).result;
    if (list === 'nodes') {
      assert.is(w.total, NODES);
      assert.is(w.rows.length, 60);
      assert.is(w.rows[0].pods, PODS / NODES);
      assert.equal(w.rows[0].byPhase, { Running: PODS / NODES });
    }
  }
  const pods = (await t.call({ op: 'pods', node: 'node-7', offset: 0, limit: 500 })).result;
  assert.is(pods.total, PODS / NODES);
  assert.ok(pods.rows.every((p: { node: string; status: string }) => p.node === 'node-7' && p.status === 'Running'));
  assert.ok(t.bytes() < 1_000_000, `${t.bytes()} bytes`);
  // A window deep in the list, as a scroll asks for it.
  const deep = (await t.call({ op: 'window', list: 'nodes', offset: 4990, limit: 60, filter: 'node-49' })).result;
  assert.is(deep.total, 111);
  t.close();
});

test('changes are pushed: the summary and the windows the tab shows', async () => {
  const t = await tab();
  await t.call({ op: 'window', list: 'nodes', offset: 0, limit: 5 });
  model.apply('Pod', 'update', pod(0, 'Failed'));
  model.apply('Node', 'delete', node(4999));
  const deadline = Date.now() + 5000;
  while (!t.pushes.some((p) => p.push === 'cluster') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const frame = t.pushes.find((p) => p.push === 'cluster') as any;
  assert.ok(frame, 'a cluster frame');
  assert.equal(frame.summary.pods.byPhase, { Running: PODS - 1, Failed: 1 });
  assert.is(frame.summary.nodes.total, NODES - 1);
  assert.equal(frame.windows.nodes.rows[0].byPhase, { Failed: 1, Running: PODS / NODES - 1 });
  t.close();
});

test('bad requests get a Kubernetes Status and change nothing', async () => {
  const t = await tab();
  const bad = await t.call({ op: 'window', list: 'secrets', offset: 0, limit: 5 });
  assert.equal({ kind: bad.error.kind, code: bad.error.code, reason: bad.error.reason }, { kind: 'Status', code: 400, reason: 'BadRequest' });
  assert.match(bad.error.message, 'unknown list "secrets"');
  const missing = await t.call({ op: 'actor', address: 'controller.nope' });
  assert.is(missing.error.reason, 'NotFound');
  const live = await t.call({ op: 'seek', seq: 3 });
  assert.match(live.error.message, 'this UI shows a live cluster');
  const http = await fetch(new URL('/nope', server.url));
  assert.is(http.status, 404);
  assert.is(((await http.json()) as { reason: string }).reason, "NotFound");
  t.close();
});

test('a WebSocket from another origin is refused', async () => {
  const err = await tab(undefined, { origin: 'http://evil.example' }).then(() => undefined, (e: Error) => e);
  assert.ok(err, 'refused');
  assert.match(String(err), '401');
});

test('with a token, the page and the socket ask for it', async () => {
  const s = await startUiServer(source, { port: 0, token: 'sekret' });
  try {
    const anon = await fetch(s.url);
    assert.is(anon.status, 401);
    assert.equal(await anon.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
    assert.is((await fetch(s.url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const ok = await fetch(`${s.url}?token=sekret`);
    assert.is(ok.status, 200);
    assert.match(ok.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    assert.ok(await tab(s.url.replace('http', 'ws')).then(() => false, () => true), 'socket without the token refused');
    const t = await tab(s.url.replace('http', 'ws'), { authorization: 'Bearer sekret' });
    assert.is((await t.call({ op: 'hello' })).result.mode, 'live');
    t.close();
  } finally {
    await s.close();
  }
});

test('listening beyond loopback without a token is refused', async () => {
  await startUiServer(source, { host: '0.0.0.0', port: 0 }).then(
    () => assert.unreachable('started'),
    (e: Error) => assert.match(e.message, "needs the kubeconfig's bearer token"),
  );
});

test.run();
