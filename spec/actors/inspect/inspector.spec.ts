import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { ActorHost } from '../../../actors/host.ts';
import { startInspector } from '../../../actors/inspect/inspector.ts';
import { kvActor } from '../../../actors/kv/actor.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { counter } from '../record/kv-run.ts';

interface Frame { type: string; sessionId: string; name?: string; definition?: string; snapshot?: { value?: unknown; context?: unknown }; event?: { type: string } }

function client(url: string): Promise<{ frames: Frame[]; ws: WebSocket }> {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ frames, ws }));
    ws.once('error', reject);
  });
}
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('selected actors stream @xstate.actor/@xstate.snapshot frames; others none; late clients get the current state; secrets redacted', async () => {
  const inspector = await startInspector({ port: 0, select: 'kv' });
  assert.match(inspector.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const early = await client(inspector.wsUrl);
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const host = new ActorHost({ bus, clock, seed: 1, inspectFor: inspector.inspectFor });
  inspector.follow(host);
  host.spawn(kvActor(new MemoryKv()));
  host.spawn({ address: 'worker.1', create: () => ({ machine: counter }) });
  const api = bus.register('apiserver', () => {});
  await api.request('kv', 'kv.txn', { ops: [{ op: 'put', key: '/registry/secrets/s', value: { kind: 'Secret', data: { token: 'c2VjcmV0' } } }] });
  api.send('worker.1', 'sys.ping', { n: 1 });
  await clock.advance(0);
  await wait(50);
  const actors = early.frames.filter((f) => f.type === '@xstate.actor');
  assert.equal(actors.map((f) => f.name), ['kv']);
  assert.match(actors[0]!.definition!, /"serving"/);
  const kvSession = actors[0]!.sessionId;
  assert.ok(early.frames.every((f) => f.sessionId === kvSession), 'nothing from worker.1');
  assert.ok(early.frames.some((f) => f.type === '@xstate.snapshot' && f.event?.type === 'kv.txn'));
  assert.ok(early.frames.some((f) => f.type === '@xstate.event' && f.event?.type === 'kv.txn'));
  assert.not.ok(JSON.stringify(early.frames).includes('c2VjcmV0'));

  const late = await client(inspector.wsUrl);
  await wait(50);
  assert.equal(late.frames.map((f) => f.type), ['@xstate.actor', '@xstate.snapshot']);
  assert.is(late.frames[0]!.sessionId, kvSession);
  assert.equal((late.frames[1]!.snapshot!.context as { counts: Record<string, number> }).counts['kv.txn'], 1);

  const page = await (await fetch(inspector.url)).text();
  assert.match(page, /https:\/\/stately\.ai\/inspect/);
  assert.ok(page.includes(inspector.wsUrl));

  host.stopAll();
  const after = await client(inspector.wsUrl);
  await wait(30);
  assert.equal(after.frames, []);
  for (const c of [early, late, after]) c.ws.close();
  api.close();
  await bus.close();
  await inspector.close();
});

test.run();
