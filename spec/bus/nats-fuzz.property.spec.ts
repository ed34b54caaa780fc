/**
 * The NATS inbound path under random bytes and mutated envelopes, against a real
 * nats-server this spec starts (and stops by PID): a raw client publishes on every subject
 * a real bus listens on — its addresses, a topic, and the reply inbox of a pending
 * request — and every message is either delivered whole and valid, or rejected and counted
 * by cause; the bus keeps serving. Fixed seed; FUZZ_SCALE raises the count (the `nats` soak).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Packr } from 'msgpackr';
import { check } from '../helpers/fuzz.ts';
import { createCodec, PROTOCOL_VERSION } from '../../bus/codec.ts';
import { catalogue } from '../../bus/catalogue/index.ts';
import { checkPayload } from '../../bus/check.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import { connectNatsBus } from '../../bus/nats/connect.ts';
import type { NatsBus } from '../../bus/nats/bus.ts';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { ok } from '../../base/status.ts';
import { startNatsServer } from '../helpers/nats-server.ts';
import { eventually } from '../helpers/wait.ts';

const USERS = [{ identity: 'control-plane', password: 'cp-secret' }, { identity: 'node-b', password: 'b-secret' }];
const server = await startNatsServer({ config: natsServerConfig({ users: USERS }) });
const ADDRESSES = ['scheduler', 'apiserver', 'controller.replicaset'];
const TOPIC = 'cluster.events';
const TYPES = Object.keys(catalogue);
const codec = createCodec();

let bus: NatsBus;
let nc: NatsConnection;
/** Reply subjects are single-use (the server allows one response to each), so each is new. */
let replies = 0;
const seen: Envelope[] = [];

const total = (): number => {
  const st = bus.stats();
  return seen.length + Object.values(st.rejected).reduce((a, b) => a + b, 0);
};

test.before(async () => {
  bus = await connectNatsBus({ servers: server.url, identity: 'control-plane', pass: 'cp-secret', maxMessageBytes: 64 * 1024 });
  for (const address of ADDRESSES) {
    const port = bus.register(address, (env) => {
      seen.push(env);
      if (env.type === 'sys.ping') port.reply(env, ok({ address, n: (env.payload as { n: number }).n }));
    });
    if (address === 'scheduler') port.subscribe(TOPIC);
  }
  await bus.flush();
  nc = await connect({ servers: server.url, user: 'node-b', pass: 'b-secret' });
});

test.after(async () => {
  await nc.close();
  await bus.close();
  await server.stop();
});

// ---- inputs -----------------------------------------------------------------------------

const base = (to: string): Envelope => ({ seq: 1, from: 'kubelet.b', to, type: 'sys.ping', payload: { n: 1 }, corr: 'c1', at: 0 });
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(undefined, -0, NaN, Infinity, 2 ** 64, new Uint8Array([1, 2]), new Date(0), new Map([[1, 2]]), new Set([1])));
/** An envelope with one to three fields replaced, removed or added. */
const envelope = (to: string): fc.Arbitrary<unknown> =>
  fc.array(fc.oneof(
    fc.record({ k: fc.constantFrom('seq', 'from', 'to', 'type', 'payload', 'corr', 'at', 'extra', '__proto__'), v: anyValue }),
    fc.record({ k: fc.constant('type'), v: fc.constantFrom(...TYPES, REPLY, 'sys.nonsense', '') }),
    fc.record({ k: fc.constant('from'), v: fc.constantFrom('kubelet.b', 'apiserver', 'kubelet.c', 'pod.x', 'proxy.b', 'kv', '', 'kubelet.*') }),
    fc.record({ k: fc.constant('to'), v: fc.constantFrom(to, ...ADDRESSES, 'kv', TOPIC) }),
    fc.record({ k: fc.constant('drop'), v: fc.constantFrom('seq', 'from', 'to', 'type', 'payload', 'at') }),
  ), { maxLength: 3 }).map((edits) => {
    const e: Record<string, unknown> = { ...base(to) };
    for (const { k, v } of edits) {
      if (k === 'drop') delete e[v as string];
      else Object.defineProperty(e, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return e;
  });

const flip = (b: Uint8Array, at: number, bit: number): Uint8Array => {
  const c = Uint8Array.from(b);
  const i = at % Math.max(1, c.length);
  if (c.length) c[i] = (c[i] ?? 0) ^ (1 << (bit % 8));
  return c;
};
const raw = new Packr({ useRecords: false });

/** The bytes of one message on the way to `to`. */
const bytes = (to: string): fc.Arbitrary<Uint8Array> => fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 80 }), weight: 2 },
  { arbitrary: fc.tuple(envelope(to), fc.boolean()).map(([e, plain]) => plain ? Uint8Array.of(PROTOCOL_VERSION, ...raw.pack(e)) : safeEncode(e)), weight: 5 },
  { arbitrary: fc.tuple(envelope(to), fc.nat(), fc.nat()).map(([e, at, bit]) => flip(safeEncode(e), at, bit)), weight: 3 },
  { arbitrary: fc.tuple(envelope(to), fc.nat()).map(([e, cut]) => { const b = safeEncode(e); return b.subarray(0, cut % (b.length + 1)); }), weight: 2 },
  { arbitrary: fc.tuple(fc.nat(255), envelope(to)).map(([v, e]) => Uint8Array.of(v, ...safeEncode(e).subarray(1))), weight: 1 },
  { arbitrary: fc.constant(codec.encode({ ...base(to), payload: { n: 1, pad: 'x'.repeat(70 * 1024) } })), weight: 1 },
);
/** Our own encoder refuses some values (a Symbol, say): those become plain msgpack. */
function safeEncode(e: unknown): Uint8Array {
  try { return codec.encode(e as Envelope); } catch { return Uint8Array.of(PROTOCOL_VERSION, ...raw.pack(e)); }
}

type Shot = { kind: 'address'; to: string; data: Uint8Array; reply: boolean } | { kind: 'topic'; data: Uint8Array };
const shot: fc.Arbitrary<Shot> = fc.oneof(
  { arbitrary: fc.constantFrom(...ADDRESSES).chain((to) => fc.record({ kind: fc.constant('address' as const), to: fc.constant(to), data: bytes(to), reply: fc.boolean() })), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('topic' as const), data: bytes(TOPIC) }), weight: 1 },
);

// ---- properties -------------------------------------------------------------------------

test('random bytes and mutated envelopes on every address and topic: delivered valid, or rejected and counted', () =>
  check(fc.asyncProperty(fc.array(shot, { minLength: 1, maxLength: 20 }), async (shots) => {
    const before = total();
    const seenBefore = seen.length;
    for (const s of shots) {
      const subject = s.kind === 'address' ? `kubeactor.a.node-b.${s.to}` : `kubeactor.t.node-b.${TOPIC}`;
      nc.publish(subject, s.data, s.kind === 'address' && s.reply ? { reply: `kubeactor.i.node-b.fuzz.${++replies}` } : undefined);
    }
    await nc.flush();
    await eventually(() => total() - before >= shots.length, { timeoutMs: 5000, intervalMs: 2, what: 'every message delivered or counted', detail: () => `${total() - before} of ${shots.length}` });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 20));
    assert.is(total() - before, shots.length, `each message is delivered or counted once: ${JSON.stringify(bus.stats().rejected)} seen ${seen.length - seenBefore}: ${JSON.stringify(seen.slice(seenBefore).map((e) => [e.type, e.from, e.to]))}`);
    for (const env of seen.slice(seenBefore)) {
      assert.is(checkPayload(env.type, env.payload), null, `an actor saw an invalid payload: ${env.type}`);
      // node-b's claims (bus/identities.ts): its kubelet, its proxy, and pods.
      assert.match(env.from, /^(kubelet\.b|proxy\.b|pod\.[^.]+)$/, `an actor saw a sender node-b may not claim: ${env.from}`);
    }
  }), 150));

test('garbage replies to a pending request are refused and counted; the request still gets its real answer', async () => {
  // The raw client holds kubelet.b: the bus's request arrives there with the bus's inbox as reply subject.
  const inbox: string[] = [];
  const sub = nc.subscribe('kubeactor.a.*.kubelet.b', { callback: (_e, m) => { if (m.reply) inbox.push(m.reply); } });
  await nc.flush();
  const port = bus.register('controller.fuzz', () => {});
  await bus.flush();
  await check(fc.asyncProperty(fc.array(bytes('controller.fuzz'), { minLength: 1, maxLength: 5 }), async (garbage) => {
    const n = inbox.length;
    const pending = port.request('kubelet.b', 'sys.ping', { n: 7 });
    await eventually(() => inbox.length > n, { timeoutMs: 5000, intervalMs: 2, what: 'the request to arrive' });
    const replyTo = inbox[inbox.length - 1]!;
    const rejectedBefore = total();
    for (const g of garbage) nc.publish(replyTo, g);
    // Then the true answer, from the address the request went to.
    nc.publish(replyTo, codec.encode({ seq: 2, from: 'kubelet.b', to: 'controller.fuzz', type: REPLY, payload: ok({ address: 'kubelet.b', n: 7 }), at: 0 }));
    // The first reply that is not forged settles the request: the answer, or the Status of what was wrong with it.
    const r = await pending;
    if (r.ok) assert.ok(r.value !== undefined);
    else {
      assert.type(r.status.code, 'number');
      assert.ok(total() > rejectedBefore, 'a refused reply is counted');
    }
  }), 60);
  sub.unsubscribe();
  port.close();
  // Still serving: a good request through the front door.
  const me = bus.register('controller.after', () => {});
  await bus.flush();
  assert.equal(await me.request('scheduler', 'sys.ping', { n: 3 }), ok({ address: 'scheduler', n: 3 }));
});

test.run();
