import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realClock } from '../../../base/real-clock.ts';
import { ActorHost } from '../../../actors/host.ts';
import { kvActor } from '../../../actors/kv/actor.ts';
import { EtcdKv } from '../../../actors/kv/etcd.ts';
import type { KvEvent } from '../../../actors/kv/backend.ts';
import { memoryLogger } from '../../../actors/logger.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { APISERVER_ADDRESS, KV_ADDRESS } from '../../../bus/permissions.ts';
import { isMessage } from '../../../bus/catalogue/index.ts';
import { etcdLeftovers, startEtcd, type EtcdMember } from '../../helpers/etcd.ts';

const WRITERS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ack {
  key: string;
  value: { w: number; j: number };
  revision: number;
  /** When the write was sent and when its acknowledgement came (performance.now()). */
  sent: number;
  at: number;
}

/** The member etcd says leads (its maintenance status, through the JSON gateway). */
async function leader(members: EtcdMember[]): Promise<EtcdMember> {
  for (const m of members) {
    const s = (await (await fetch(`${m.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}' })).json()) as { header: { member_id: string }; leader: string };
    if (s.leader === s.header.member_id) return m;
  }
  throw new Error('no member leads');
}

test('three-member etcd: SIGKILL the leader under write load through the kv actor → writes resume, no acknowledged write lost, the watch has no gap', async () => {
  const etcd = await startEtcd({ members: 3 });
  const backend = await EtcdKv.open({ endpoints: etcd.endpoints, prefix: '/failover' });
  const bus = new InProcessBus({ clock: realClock, requestTimeoutMs: 30_000 });
  const host = new ActorHost({ bus, clock: realClock, seed: 1, logger: memoryLogger() });
  host.spawn(kvActor(backend));
  const watched: KvEvent[] = [];
  const api = bus.register(APISERVER_ADDRESS, (env) => {
    if (isMessage(env, 'kv.events')) watched.push(...env.payload.events);
  });
  try {
    const from = backend.revision();
    const w = await api.request(KV_ADDRESS, 'kv.watch', { id: 'all', prefix: '/registry/', afterRevision: from });
    assert.ok(w.ok);
    const acks: Ack[] = [];
    let refused = 0;
    let running = true;
    const writer = async (w: number): Promise<void> => {
      for (let j = 0; running; j++) {
        const key = `/registry/failover/w${w}/k${j % 5}`;
        const value = { w, j };
        const sent = performance.now();
        const r = await api.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'put', key, value }] });
        if (r.ok && r.value.succeeded) acks.push({ key, value, revision: r.value.revision, sent, at: performance.now() });
        else {
          // 503 while etcd elects a new leader: the write may or may not have been applied; the next one goes on.
          assert.ok(!r.ok && r.status.code === 503, `unexpected answer ${JSON.stringify(r)}`);
          refused++;
          await sleep(20);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, i) => writer(i));
    await sleep(1500);
    const victim = await leader(etcd.members);
    const before = acks.length;
    const killedAt = performance.now();
    await victim.kill('SIGKILL');
    // Load goes on until 200 more writes were acknowledged (a busy machine may take several elections), or 30 s.
    const deadline = performance.now() + 30_000;
    while (acks.filter((a) => a.at > killedAt).length < 200 && performance.now() < deadline) await sleep(100);
    running = false;
    await Promise.all(writers);

    const after = acks.filter((a) => a.at > killedAt);
    assert.ok(before > 20, `only ${before} writes before the kill`);
    assert.ok(after.length >= 200, `writes did not resume: ${after.length} after the kill`);
    // The write gap: the longest time without an acknowledgement from the kill on.
    let last = killedAt;
    let gap = 0;
    for (const a of after) {
      gap = Math.max(gap, a.at - last);
      last = a.at;
    }
    // A write sent after the kill and acknowledged: how soon new writes go through (writes already in
    // flight to a follower wait out etcd's own request timeout, 5 s + 2 election timeouts, which the gap shows).
    const resumed = Math.min(...after.filter((a) => a.sent > killedAt).map((a) => a.at)) - killedAt;
    process.stderr.write(`etcd failover: leader ${victim.name} killed; first new write acknowledged after ${Math.round(resumed)} ms; longest time without an acknowledgement ${Math.round(gap)} ms; ${before} writes before, ${after.length} after, ${refused} answered 503\n`);
    assert.ok(gap < 20_000, `writes stopped for ${gap} ms`);

    // Every acknowledged write is there, read from the surviving members by a new client.
    const reader = await EtcdKv.open({ endpoints: etcd.members.filter((m) => m !== victim).map((m) => m.clientUrl), prefix: '/failover' });
    const items = new Map((await reader.range('/registry/failover/')).items.map((r) => [r.key, r]));
    const newest = new Map<string, Ack>();
    for (const a of acks) if ((newest.get(a.key)?.revision ?? 0) < a.revision) newest.set(a.key, a);
    for (const [key, ack] of newest) {
      const rec = items.get(key);
      assert.ok(rec && rec.modRevision >= ack.revision, `${key}: acknowledged at ${ack.revision}, found ${rec?.modRevision}`);
      if (rec.modRevision === ack.revision) assert.equal(rec.value, ack.value);
    }
    for (const a of acks.slice(-200)) assert.equal((await reader.get(a.key, a.revision)).kv?.value, a.value);
    await reader.close();
    assert.is(new Set(acks.map((a) => a.revision)).size, acks.length, 'two acknowledged writes share a revision');

    // The kv actor's watch went on across the failure: every acknowledged revision, in order, once.
    const lastAck = Math.max(...acks.map((a) => a.revision));
    for (let i = 0; i < 200 && !watched.some((e) => e.kv.modRevision >= lastAck); i++) await sleep(25);
    const revs = watched.map((e) => e.kv.modRevision);
    for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `watch out of order at ${i}: ${revs[i - 1]} then ${revs[i]}`);
    const seen = new Set(revs);
    const missed = acks.filter((a) => !seen.has(a.revision));
    assert.equal(missed.length, 0, `the watch missed ${missed.length} acknowledged writes`);

    // The killed member comes back from its data directory and catches up.
    await victim.start();
  } finally {
    host.stopAll();
    await bus.close();
    await backend.close();
    await etcd.stop();
  }
  assert.equal(etcdLeftovers(), []);
});

test.run();
