import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Packr } from 'msgpackr';
import type { RejectCause } from '../../bus/bus.ts';
import { createCodec, PROTOCOL_VERSION } from '../../bus/codec.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import { defaultIdentities, identityTable } from '../../bus/identities.ts';
import { connectNatsBus, type NatsBusOptions } from '../../bus/nats/connect.ts';
import type { NatsBus } from '../../bus/nats/bus.ts';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { ok, type Result } from '../../base/status.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { busContract, NODE_ADDRESS, responder, until, type Sides } from './contract.ts';

const USERS = [
  { identity: 'control-plane', password: 'cp-secret' },
  { identity: 'node-b', password: 'b-secret' },
];
const config = natsServerConfig({ users: USERS });
const pass = (identity: string) => USERS.find((u) => u.identity === identity)!.password;

const server: NatsServerHandle = await startNatsServer({ config });

function bus(identity: string, extra: Partial<NatsBusOptions> = {}): Promise<NatsBus> {
  return connectNatsBus({ servers: server.url, identity, pass: pass(identity), ...extra });
}

async function natsSides(extraA: Partial<NatsBusOptions> = {}): Promise<Sides & { a: NatsBus; b: NatsBus }> {
  const a = await bus('control-plane', extraA);
  const b = await bus('node-b');
  return {
    a,
    b,
    sync: async () => {
      await b.flush();
      await a.flush();
    },
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

const contract = busContract('nats', natsSides);
contract.run();

/** A plain nats.js client, the way an attacker or a buggy peer would talk to the server. */
const raw = (identity: string): Promise<NatsConnection> => connect({ servers: server.url, user: identity, pass: pass(identity) });

const nats = suite<{ s: Sides & { a: NatsBus; b: NatsBus }; rejects: RejectCause[] }>('nats transport', {} as never);
nats.before.each(async (ctx) => {
  ctx.s = await natsSides({ maxMessageBytes: 64 * 1024 });
  ctx.rejects = [];
  ctx.s.a.onReject((cause) => ctx.rejects.push(cause));
});
nats.after.each(async (ctx) => {
  await ctx.s.close();
});

nats('a raw client sending a well-formed envelope with a forged `from` is rejected as forged', async ({ s, rejects }) => {
  const { got } = responder(s.a, 'scheduler');
  await s.sync();
  const nc = await raw('node-b');
  const codec = createCodec();
  const forged: Envelope = { seq: 1, from: 'apiserver', to: 'scheduler', type: 'sys.note', payload: { n: 1 }, at: 0 };
  nc.publish('kubeactor.a.node-b.scheduler', codec.encode(forged));
  // Publishing under another identity's token is refused by the server itself.
  nc.publish('kubeactor.a.control-plane.scheduler', codec.encode({ ...forged, from: 'kubelet.b' }));
  // Addressed to one actor on another's subject: also a lie.
  nc.publish('kubeactor.a.node-b.scheduler', codec.encode({ ...forged, from: 'kubelet.b', to: 'kv' }));
  await nc.flush();
  const r = await s.b.register(NODE_ADDRESS, () => {}).request('scheduler', 'sys.ping', { n: 2 });
  assert.equal(r, ok({ address: 'scheduler', n: 2 }));
  assert.equal(got.map((e) => e.type), ['sys.ping']);
  assert.is(s.a.stats().rejected.forged, 2);
  assert.equal(rejects, ['forged', 'forged']);
  await nc.close();
});

nats('a process lying about its identity cannot hold the apiserver address nor reach kv', async ({ s }) => {
  const { got } = responder(s.a, 'kv');
  // This process's own table claims the apiserver; the server's config (from the true table) does not.
  const liar = await bus('node-b', { identities: identityTable({ 'node-b': ['apiserver'] }, defaultIdentities) });
  const refusals: string[] = [];
  liar.onReject((cause, status) => refusals.push(`${cause} ${status.code}`));
  const api = liar.register('apiserver', () => {});
  await liar.flush();
  const r = await api.request('kv', 'sys.ping', { n: 1 }, { timeoutMs: 3000 });
  assert.is(r.ok, false);
  if (!r.ok) assert.equal([r.status.code, r.status.reason], [403, 'Forbidden']);
  await s.sync();
  assert.equal(got, [], 'kv never saw it');
  assert.ok(liar.stats().rejected.forbidden >= 2, 'the subscription and the publish were refused and counted');
  assert.ok(refusals.every((x) => x === 'forbidden 403'));
  // The real apiserver still gets through.
  const real = s.a.register('apiserver', () => {});
  await s.sync();
  assert.equal(await real.request('kv', 'sys.ping', { n: 2 }), ok({ address: 'kv', n: 2 }));
  await liar.close();
});

nats('malformed messages from a raw client are rejected by cause; the actor keeps serving', async ({ s, rejects }) => {
  const { got } = responder(s.a, 'scheduler');
  await s.sync();
  const nc = await raw('node-b');
  const replies: Result<unknown>[] = [];
  nc.subscribe('kubeactor.i.node-b.raw.>', { callback: (_e, m) => void replies.push((createCodec().decode(m.data) as Envelope).payload as Result<unknown>) });
  const codec = createCodec();
  const good = (over: Partial<Envelope>): Envelope => ({ seq: 1, from: NODE_ADDRESS, to: 'scheduler', type: 'sys.ping', payload: { n: 1 }, corr: 'c', at: 0, ...over });
  const valid = codec.encode(good({}));
  const cases: [RejectCause, Uint8Array][] = [
    ['malformed', new Uint8Array([1, 0xc1, 0xff, 0x13, 0x37, 0x00, 0x99])],
    ['malformed', valid.subarray(0, valid.length - 3)],
    ['versionMismatch', Uint8Array.of(PROTOCOL_VERSION + 1, ...valid.subarray(1))],
    ['malformed', Uint8Array.of(PROTOCOL_VERSION, ...new Packr({ useRecords: false }).pack({ hello: 'world', seq: 'x' }))],
    ['unknownType', codec.encode(good({ type: 'sys.nonsense' }))],
    ['badPayload', codec.encode(good({ payload: { n: 'one' } }))],
    ['oversized', codec.encode(good({ payload: { n: 1, pad: 'x'.repeat(100 * 1024) } }))],
  ];
  await nc.flush();
  cases.forEach(([, bytes], i) => nc.publish('kubeactor.a.node-b.scheduler', bytes, { reply: `kubeactor.i.node-b.raw.${i}` }));
  nc.publish('kubeactor.a.node-b.scheduler', new Uint8Array(0));
  await nc.flush();
  const r = await s.b.register(NODE_ADDRESS, () => {}).request('scheduler', 'sys.ping', { n: 2 });
  assert.equal(r, ok({ address: 'scheduler', n: 2 }), 'a following good request succeeds');
  await until(() => replies.length === cases.length, 3000, 'error replies');
  assert.equal(rejects, [...cases.map(([c]) => c), 'malformed']);
  const st = s.a.stats().rejected;
  assert.equal([st.malformed, st.versionMismatch, st.unknownType, st.badPayload, st.oversized], [4, 1, 1, 1, 1]);
  assert.ok(replies.every((x) => !x.ok && [400, 413].includes(x.status.code)), 'each got an error Status');
  assert.equal(got.map((e) => (e.payload as { n: number }).n), [2], 'the actor saw only the good request');
  await nc.close();
});

nats('an oversized message is refused on the sending side with 413', async ({ s }) => {
  responder(s.b, NODE_ADDRESS);
  const p = s.a.register('scheduler', () => {});
  await s.sync();
  const r = await p.request(NODE_ADDRESS, 'sys.ping', { n: 1, pad: 'x'.repeat(80 * 1024) } as { n: number });
  assert.is(r.ok, false);
  if (!r.ok) assert.equal([r.status.code, r.status.reason], [413, 'RequestEntityTooLarge']);
  assert.is(s.a.stats().rejected.oversized, 1);
});

nats('a reply of the wrong shape is refused with a 400 and counted', async ({ s }) => {
  const kb: ReturnType<typeof s.b.register> = s.b.register(NODE_ADDRESS, (env) => kb.reply(env, ok({ nope: true }) as never));
  const p = s.a.register('scheduler', () => {});
  await s.sync();
  const r = await p.request(NODE_ADDRESS, 'sys.ping', { n: 1 });
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.status.code, 400);
  assert.is(s.a.stats().rejected.badPayload, 1);
});

nats.run();

const reconnect = suite('nats reconnect');
reconnect('delivery resumes after the server restarts on the same port', async () => {
  const s = await natsSides();
  const states: string[] = [];
  s.a.onState((st) => states.push(st));
  const got: Envelope[] = [];
  s.b.register(NODE_ADDRESS, (e) => got.push(e));
  const p = s.a.register('scheduler', () => {});
  await s.sync();
  p.send(NODE_ADDRESS, 'sys.note', { n: 0 });
  await until(() => got.length === 1);
  await server.restart({ downMs: 200 });
  await until(() => s.a.state() === 'connected' && s.b.state() === 'connected' && states.length >= 2, 10_000, 'reconnect');
  assert.equal(states.slice(0, 2), ['reconnecting', 'connected']);
  await s.sync();
  for (let n = 1; n <= 100; n++) p.send(NODE_ADDRESS, 'sys.note', { n });
  await until(() => got.some((e) => (e.payload as { n: number }).n === 100), 5000, 'messages after the restart');
  const after = got.map((e) => (e.payload as { n: number }).n).filter((n) => n >= 1);
  assert.equal(after, Array.from({ length: 100 }, (_, i) => i + 1));
  assert.is(got.filter((e) => e.type === REPLY).length, 0);
  await s.close();
});
reconnect.after(async () => {
  await server.stop();
});
reconnect.run();
