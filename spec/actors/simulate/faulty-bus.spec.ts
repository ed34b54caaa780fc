import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { FaultyBus, type Verdict } from '../../../actors/simulate/faulty-bus.ts';
import type { Envelope } from '../../../base/envelope.ts';

function setup(decide: (from: string, payload: unknown) => Verdict) {
  const clock = new VirtualClock();
  const bus = new FaultyBus(new InProcessBus({ clock }), clock);
  bus.setDecision((m) => decide(m.from, m.payload));
  const got: string[] = [];
  bus.register('sink', (env) => void got.push(`${env.from}:${(env.payload as { n: number }).n}`));
  const a = bus.register('a', () => {});
  const b = bus.register('b', () => {});
  const send = (p: typeof a, n: number) => p.send('sink', 'sys.ping' as never, { n } as never);
  return { clock, bus, got, a, b, send };
}

test('delays reorder messages of different senders but never one sender\'s to one receiver', async () => {
  // a's first message is slow; the messages after it wait behind it, b's overtake.
  const { clock, got, a, b, send } = setup((from, p) => (from === 'a' && (p as { n: number }).n === 1 ? { do: 'delay', ms: 500 } : { do: 'pass' }));
  send(a, 1);
  send(a, 2);
  send(b, 1);
  send(a, 3);
  await clock.advance(0);
  assert.equal(got, ['b:1']);
  await clock.advance(500);
  assert.equal(got, ['b:1', 'a:1', 'a:2', 'a:3']);
});

test('a lost message reaches no one, taps see it marked lost, and later ones stay behind the held ones', async () => {
  const { clock, bus, got, a, send } = setup((_, p) => ((p as { n: number }).n === 2 ? { do: 'lose' } : (p as { n: number }).n === 1 ? { do: 'delay', ms: 100 } : { do: 'pass' }));
  const seen: Envelope[] = [];
  bus.tap((env) => void seen.push(env));
  send(a, 1);
  send(a, 2);
  send(a, 3);
  await clock.advance(100);
  assert.equal(got, ['a:1', 'a:3']);
  const lost = seen.filter((e) => (e as { lost?: boolean }).lost);
  assert.is(lost.length, 1);
  assert.ok(lost[0]!.seq < 0, 'a lost envelope has a negative seq');
  assert.equal(lost[0]!.payload, { n: 2 });
  assert.is(bus.counts.lost, 1);
});

test('a held message whose receiver left before its release reaches no one, and taps see it marked lost', async () => {
  const { clock, bus, a, send } = setup(() => ({ do: 'delay', ms: 100 }));
  const seen: Envelope[] = [];
  bus.tap((env) => void seen.push(env));
  let reached = 0;
  const gone = bus.register('gone', () => void reached++);
  a.send('gone', 'sys.ping' as never, { n: 1 } as never);
  gone.close();
  // Sent while nobody was there: the sender's own view, as without the delay, is that it reached no one and left no trace.
  a.send('gone', 'sys.ping' as never, { n: 2 } as never);
  send(a, 3);
  await clock.advance(100);
  assert.is(reached, 0);
  assert.equal(seen.map((e) => [e.to, (e.payload as { n: number }).n, (e as { lost?: boolean }).lost === true]), [['gone', 1, true], ['sink', 3, false]]);
  assert.is(bus.counts.lost, 0, 'no fault lost it');
});

test('a request is never lost: a lost verdict passes it, and a lost reply makes the requester time out', async () => {
  const clock = new VirtualClock();
  const bus = new FaultyBus(new InProcessBus({ clock, requestTimeoutMs: 1000 }), clock);
  bus.setDecision((m) => (m.via === 'reply' || m.via === 'request' ? { do: 'lose' } : { do: 'pass' }));
  let asked = 0;
  const server = bus.register('server', (env) => {
    asked++;
    server.reply(env as never, { ok: true, value: { n: 0 } } as never);
  });
  const client = bus.register('client', () => {});
  const r = client.request('server', 'sys.ping' as never, { n: 1 } as never);
  await clock.advance(1000);
  const res = await r;
  assert.is(asked, 1);
  assert.is(res.ok, false);
  assert.is(!res.ok && res.status.code, 504);
});

test.run();
