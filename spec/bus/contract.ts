import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Bus, BusStats, Port } from '../../bus/bus.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import { fail, ok, status, type StatusReason } from '../../base/status.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * Two buses that stand for two processes. Side `a` may hold the control plane's addresses
 * (apiserver, kv, scheduler, controller.*); side `b` a node's (kubelet.b, proxy.b, pod.*).
 * In-process, both sides are the same bus.
 */
export interface Sides {
  a: Bus;
  b: Bus;
  /** Resolves once registrations and subscriptions made so far are visible to the other side. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export const NODE_ADDRESS = 'kubelet.b';

/** Sums the counters of the distinct buses of the sides. */
export function totals(s: Sides): BusStats {
  const buses = s.a === s.b ? [s.a] : [s.a, s.b];
  const [first, ...rest] = buses.map((b) => b.stats());
  for (const st of rest) {
    first!.sent += st.sent;
    first!.delivered += st.delivered;
    first!.undeliverable += st.undeliverable;
    for (const k of Object.keys(st.rejected) as (keyof BusStats['rejected'])[]) first!.rejected[k] += st.rejected[k];
  }
  return first!;
}

/** Registers an actor that answers sys.ping and sys.fail, records what it got, and ignores the rest. */
export function responder(bus: Bus, address: string, got: Envelope[] = []): { port: Port; got: Envelope[] } {
  const port: Port = bus.register(address, (env) => {
    got.push(env);
    if (env.type === 'sys.ping') port.reply(env, ok({ address, n: (env.payload as { n: number }).n }));
    if (env.type === 'sys.fail') {
      const p = env.payload as { code: number; reason: string; message: string };
      port.reply(env, fail(status(p.code, p.reason as StatusReason, p.message, { name: 'x', causes: [{ field: 'spec', message: 'bad' }] })));
    }
  });
  return { port, got };
}

/** The bus contract: every transport passes it. */
export function busContract(name: string, makeSides: () => Promise<Sides>) {
  const t = suite<{ s: Sides }>(`bus contract: ${name}`, {} as { s: Sides });
  // The real clock's timers are unref'd; something must keep the process alive while a test awaits one.
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  t.before.each(async (ctx) => {
    keepAlive = setInterval(() => {}, 1000);
    ctx.s = await makeSides();
  });
  t.after.each(async (ctx) => {
    await ctx.s.close();
    clearInterval(keepAlive);
  });

  t('delivers in order per address (thousands of messages, two senders)', async ({ s }) => {
    const got: Envelope[] = [];
    s.b.register(NODE_ADDRESS, (env) => got.push(env));
    const one = s.a.register('scheduler', () => {});
    const two = s.a.register('controller.replicaset', () => {});
    await s.sync();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      one.send(NODE_ADDRESS, 'sys.note', { n: i });
      two.send(NODE_ADDRESS, 'sys.note', { n: i, text: 'two' });
    }
    await eventually(() => got.length === 2 * N, { timeoutMs: 10_000, intervalMs: 2, what: `${2 * N} messages` });
    for (const from of ['scheduler', 'controller.replicaset']) {
      const ns = got.filter((e) => e.from === from).map((e) => (e.payload as { n: number }).n);
      assert.equal(ns.length, N);
      assert.ok(ns.every((n, i) => n === i), `order from ${from}`);
    }
  });

  t('request/reply in both directions', async ({ s }) => {
    responder(s.b, NODE_ADDRESS);
    responder(s.a, 'scheduler');
    const pa = s.a.register('controller.x', () => {});
    const pb = s.b.register('pod.p1', () => {});
    await s.sync();
    const r1 = await pa.request(NODE_ADDRESS, 'sys.ping', { n: 7 });
    assert.equal(r1, { ok: true, value: { address: NODE_ADDRESS, n: 7 } });
    const r2 = await pb.request('scheduler', 'sys.ping', { n: 8 });
    assert.equal(r2, { ok: true, value: { address: 'scheduler', n: 8 } });
    const many = await Promise.all(Array.from({ length: 200 }, (_, n) => pa.request(NODE_ADDRESS, 'sys.ping', { n })));
    assert.ok(many.every((r, n) => r.ok && r.value.n === n));
  });

  t('a request nobody answers times out with a 504 Timeout Status', async ({ s }) => {
    s.b.register(NODE_ADDRESS, () => {});
    const p = s.a.register('scheduler', () => {});
    await s.sync();
    const r = await p.request(NODE_ADDRESS, 'sys.ping', { n: 1 }, { timeoutMs: 60 });
    assert.is(r.ok, false);
    if (!r.ok) {
      assert.is(r.status.code, 504);
      assert.is(r.status.reason, 'Timeout');
      assert.is(r.status.kind, 'Status');
    }
  });

  t('a full inbox answers 429 at once; one-way messages still all arrive, in order; an answered request frees its place', async ({ s }) => {
    // The actor holds the requests it gets (answers none) until told to; its inbox holds 3.
    const held: Envelope[] = [];
    const notes: number[] = [];
    const port: Port = s.b.register(NODE_ADDRESS, (env) => {
      if (env.type === 'sys.ping') held.push(env);
      if (env.type === 'sys.note') notes.push((env.payload as { n: number }).n);
    }, { inboxLimit: 3 });
    const p = s.a.register('scheduler', () => {});
    await s.sync();
    const first = [1, 2, 3].map((n) => p.request(NODE_ADDRESS, 'sys.ping', { n }, { timeoutMs: 20_000 }));
    await eventually(() => held.length === 3, { timeoutMs: 5000, intervalMs: 2, what: 'three requests held' });
    const t0 = Date.now();
    const refused = await p.request(NODE_ADDRESS, 'sys.ping', { n: 4 }, { timeoutMs: 20_000 });
    assert.ok(Date.now() - t0 < 5000, 'answered at once, not at the timeout');
    assert.is(refused.ok, false);
    if (!refused.ok) {
      assert.equal([refused.status.code, refused.status.reason], [429, 'TooManyRequests']);
      assert.is(refused.status.details?.retryAfterSeconds, 1);
      assert.match(refused.status.message, `the inbox of "${NODE_ADDRESS}" is full`);
    }
    for (let n = 0; n < 50; n++) p.send(NODE_ADDRESS, 'sys.note', { n });
    await eventually(() => notes.length === 50, { timeoutMs: 5000, intervalMs: 2, what: 'every one-way message' });
    assert.ok(notes.every((n, i) => n === i), 'in order');
    assert.is(held.length, 3, 'the refused request never reached the actor');
    assert.is(totals(s).rejected.overloaded, 1);
    port.reply(held[0]!, ok({ address: NODE_ADDRESS, n: 1 }));
    assert.equal(await first[0], { ok: true, value: { address: NODE_ADDRESS, n: 1 } });
    const fifth = p.request(NODE_ADDRESS, 'sys.ping', { n: 5 }, { timeoutMs: 20_000 });
    await eventually(() => held.length === 4, { timeoutMs: 5000, intervalMs: 2, what: 'the next request taken in' });
    for (const env of held.slice(1)) port.reply(env, ok({ address: NODE_ADDRESS, n: (env.payload as { n: number }).n }));
    assert.equal((await fifth).ok, true);
    assert.equal((await Promise.all(first.slice(1))).map((r) => r.ok), [true, true]);
  });

  t('an error reply reaches the requester as exactly that Status', async ({ s }) => {
    responder(s.b, NODE_ADDRESS);
    const p = s.a.register('scheduler', () => {});
    await s.sync();
    const r = await p.request(NODE_ADDRESS, 'sys.fail', { code: 409, reason: 'Conflict', message: 'no luck' });
    assert.equal(r, fail(status(409, 'Conflict', 'no luck', { name: 'x', causes: [{ field: 'spec', message: 'bad' }] })));
  });

  t('a request to an address nobody holds gets a 503', async ({ s }) => {
    const p = s.a.register('scheduler', () => {});
    await s.sync();
    const r = await p.request('kubelet.nobody', 'sys.ping', { n: 1 }, { timeoutMs: 3000 });
    assert.is(r.ok, false);
    if (!r.ok) assert.equal([r.status.code, r.status.reason], [503, 'ServiceUnavailable']);
    assert.is(totals(s).undeliverable, 1);
  });

  t('a topic fans out to every subscriber, in order', async ({ s }) => {
    const seen: Record<string, Envelope[]> = { [NODE_ADDRESS]: [], 'pod.p1': [], 'controller.x': [] };
    const subs = [
      s.b.register(NODE_ADDRESS, (e) => seen[NODE_ADDRESS]!.push(e)),
      s.b.register('pod.p1', (e) => seen['pod.p1']!.push(e)),
      s.a.register('controller.x', (e) => seen['controller.x']!.push(e)),
    ];
    const offs = subs.map((p) => p.subscribe('topic.nodes'));
    const pub = s.a.register('scheduler', () => {});
    await s.sync();
    for (let n = 0; n < 50; n++) pub.publish('topic.nodes', 'sys.note', { n });
    await eventually(() => Object.values(seen).every((l) => l.length === 50), { timeoutMs: 5000, intervalMs: 2, what: 'fan-out' });
    for (const l of Object.values(seen)) {
      assert.ok(l.every((e, n) => e.to === 'topic.nodes' && e.from === 'scheduler' && (e.payload as { n: number }).n === n));
    }
    offs[1]!();
    await s.sync();
    pub.publish('topic.nodes', 'sys.note', { n: 50 });
    await eventually(() => seen[NODE_ADDRESS]!.length === 51 && seen['controller.x']!.length === 51, { timeoutMs: 5000, intervalMs: 2, what: 'second round' });
    await s.sync();
    assert.is(seen['pod.p1']!.length, 50, 'an unsubscribed port gets nothing more');
  });

  t('`from` is stamped by the bus: the port API cannot forge it', async ({ s }) => {
    const { got } = responder(s.b, NODE_ADDRESS);
    const p = s.a.register('scheduler', () => {});
    await s.sync();
    // An extra argument (or a `from` in the payload) changes nothing.
    (p.send as (...args: unknown[]) => void)(NODE_ADDRESS, 'sys.note', { n: 1, from: 'apiserver' }, { from: 'apiserver' });
    await p.request(NODE_ADDRESS, 'sys.ping', { n: 2 });
    assert.equal(got.map((e) => e.from), ['scheduler', 'scheduler']);
  });

  t('only the apiserver reaches kv; others get 403 Forbidden', async ({ s }) => {
    const { got } = responder(s.a, 'kv');
    const api = s.a.register('apiserver', () => {});
    const sched = s.a.register('scheduler', () => {});
    const kubelet = s.b.register(NODE_ADDRESS, () => {});
    await s.sync();
    for (const p of [sched, kubelet]) {
      const r = await p.request('kv', 'sys.ping', { n: 1 });
      assert.is(r.ok, false);
      if (!r.ok) assert.equal([r.status.code, r.status.reason], [403, 'Forbidden']);
      p.send('kv', 'sys.note', { n: 2 });
    }
    const r = await api.request('kv', 'sys.ping', { n: 3 });
    assert.equal(r, ok({ address: 'kv', n: 3 }));
    await s.sync();
    assert.equal(got.map((e) => e.from), ['apiserver']);
    assert.is(totals(s).rejected.forbidden, 4);
  });

  t('stats count sent, delivered and undeliverable', async ({ s }) => {
    const got: Envelope[] = [];
    responder(s.b, NODE_ADDRESS, got);
    const p = s.a.register('scheduler', () => {});
    await s.sync();
    for (let n = 0; n < 10; n++) p.send(NODE_ADDRESS, 'sys.note', { n });
    await p.request(NODE_ADDRESS, 'sys.ping', { n: 10 });
    await p.request('kubelet.nobody', 'sys.ping', { n: 11 });
    const st = totals(s);
    assert.equal([st.sent, st.delivered, st.undeliverable], [13, 12, 1]);
    assert.equal(Object.values(st.rejected), [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  t('close() resolves pending requests and closes', async ({ s }) => {
    s.b.register(NODE_ADDRESS, () => {});
    const p = s.a.register('scheduler', () => {});
    await s.sync();
    const pending = p.request(NODE_ADDRESS, 'sys.ping', { n: 1 }, { timeoutMs: 60_000 });
    const states: string[] = [];
    s.a.onState((st) => states.push(st));
    await s.a.close();
    const r = await pending;
    assert.is(r.ok, false);
    if (!r.ok) assert.is(r.status.code, 503);
    assert.is(s.a.state(), 'closed');
    assert.equal(states, ['closed']);
    assert.throws(() => s.a.register('apiserver', () => {}));
  });

  t('closing an actor answers 503 to requests pending on it, and fails its own', async ({ s }) => {
    const node = s.b.register(NODE_ADDRESS, () => {});
    const sched = s.a.register('scheduler', () => {});
    await s.sync();
    const asked = sched.request(NODE_ADDRESS, 'sys.ping', { n: 1 }, { timeoutMs: 60_000 });
    const own = node.request('scheduler', 'sys.ping', { n: 2 }, { timeoutMs: 60_000 });
    await s.sync();
    await eventually(() => s.b.stats().delivered >= 1 && s.a.stats().delivered >= 1, { timeoutMs: 5000, intervalMs: 2, what: 'both requests delivered' });
    node.close();
    const [r1, r2] = await Promise.all([asked, own]);
    assert.equal([r1.ok, r2.ok], [false, false]);
    if (!r1.ok && !r2.ok) assert.equal([r1.status.code, r2.status.code], [503, 503]);
  });

  t('a tap sees every delivered envelope, in delivery order', async ({ s }) => {
    const tapped: Envelope[] = [];
    const handled: Envelope[] = [];
    s.b.tap((e) => tapped.push(e));
    s.b.register(NODE_ADDRESS, (e) => handled.push(e));
    const p = s.a.register('scheduler', () => {});
    await s.sync();
    for (let n = 0; n < 500; n++) p.send(NODE_ADDRESS, 'sys.note', { n });
    await eventually(() => handled.length === 500, { timeoutMs: 5000, intervalMs: 2, what: 'deliveries' });
    const toNode = tapped.filter((e) => e.to === NODE_ADDRESS);
    assert.equal(toNode, handled);
    const seqs = toNode.map((e) => e.seq);
    assert.ok(seqs.every((q, i) => i === 0 || q > seqs[i - 1]!), 'seq ascending');
  });

  // A recorder taps the bus of its own process: it must see each request where it is
  // answered and each reply where it is awaited, once, and a topic envelope once per bus.
  t('a tap sees a request on the responder\'s bus and its reply on the requester\'s, once each', async ({ s }) => {
    const onA: Envelope[] = [];
    const onB: Envelope[] = [];
    s.a.tap((e) => onA.push(e));
    if (s.b !== s.a) s.b.tap((e) => onB.push(e));
    responder(s.a, 'scheduler');
    const node = s.b.register(NODE_ADDRESS, () => {});
    const subs = [s.b.register('pod.p1', () => {}), s.b.register('pod.p2', () => {})];
    for (const p of subs) p.subscribe('topic.nodes');
    await s.sync();
    const r = await node.request('scheduler', 'sys.ping', { n: 7 });
    assert.ok(r.ok);
    s.a.register('controller.x', () => {}).publish('topic.nodes', 'sys.note', { n: 1 });
    const requester = s.b === s.a ? onA : onB;
    await eventually(() => requester.some((e) => e.to === 'topic.nodes'), { timeoutMs: 5000, intervalMs: 2, what: 'topic tapped' });
    // Anything tapped twice would show up by now.
    await s.sync();
    await new Promise((res) => setTimeout(res, 50));
    const all = [...onA, ...onB];
    const pings = all.filter((e) => e.type === 'sys.ping');
    assert.is(pings.length, 1, 'the request, once');
    assert.ok(onA.includes(pings[0]!), 'on the responder\'s bus');
    const replies = all.filter((e) => e.type === REPLY && e.corr === pings[0]!.corr);
    assert.is(replies.length, 1, 'the reply, once');
    assert.equal([replies[0]!.from, replies[0]!.to], ['scheduler', NODE_ADDRESS]);
    assert.ok(requester.includes(replies[0]!), 'on the requester\'s bus');
    assert.is(requester.filter((e) => e.to === 'topic.nodes').length, 1, 'a topic envelope once, for two subscribers');
  });

  return t;
}
