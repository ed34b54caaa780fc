import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realClock } from '../../../base/real-clock.ts';
import { ActorHost } from '../../../actors/host.ts';
import { kvActor } from '../../../actors/kv/actor.ts';
import { JetStreamKv } from '../../../actors/kv/jetstream.ts';
import { memoryLogger } from '../../../actors/logger.ts';
import { connectNatsBus } from '../../../bus/nats/index.ts';
import { APISERVER_ADDRESS, KV_ADDRESS } from '../../../bus/permissions.ts';
import { freePort, startNatsServer, type NatsServerHandle } from '../../helpers/nats-server.ts';

const WRITERS = 8;

/** Three nats-servers in one cluster on loopback, JetStream on each with its own store. */
async function natsCluster(): Promise<NatsServerHandle[]> {
  const clientPorts = [await freePort(), await freePort(), await freePort()];
  const routePorts = [await freePort(), await freePort(), await freePort()];
  return Promise.all(
    clientPorts.map((port, i) => startNatsServer({ jetstream: true, port, cluster: { name: 'kubeactor', serverName: `n${i + 1}`, port: routePorts[i]!, routes: routePorts } })),
  );
}

/** Retries `fn` until it succeeds: a new JetStream cluster needs a moment to elect its meta leader. */
async function retrying<T>(fn: () => Promise<T>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

interface Ack {
  key: string;
  last: string;
  value: { w: number; j: number };
  revision: number;
  at: number;
}

test('three nats-servers, an R3 bucket under write load through the kv actor: SIGKILL the stream leader → writes resume, no acknowledged write lost', async () => {
  const servers = await natsCluster();
  const urls = servers.map((s) => s.url);
  // A request in flight when the bus's own server dies is lost (core NATS): it fails at this timeout and is not counted.
  const bus = await connectNatsBus({ servers: urls, identity: 'control-plane', requestTimeoutMs: 15_000 });
  let backend: JetStreamKv | null = null;
  try {
    backend = await retrying(() => JetStreamKv.open({ nc: bus.connection, bucket: 'ha', replicas: 3, historyLimit: 100_000 }));
    const host = new ActorHost({ bus, clock: realClock, seed: 1, logger: memoryLogger() });
    host.spawn(kvActor(backend));
    const api = bus.register(APISERVER_ADDRESS, () => {});
    const acks: Ack[] = [];
    let failures = 0;
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      for (let j = 0; !stop; j++) {
        const value = { w, j };
        const key = `/ha/w${w}/k${j % 5}`;
        const last = `/ha/w${w}/last`;
        // One write in four is a two-key txn: its record message and its per-key messages must survive together.
        const ops = j % 4 === 0 ? [{ op: 'put' as const, key, value }, { op: 'put' as const, key: last, value }] : [{ op: 'put' as const, key, value }];
        const r = await api.request(KV_ADDRESS, 'kv.txn', { ops });
        if (r.ok && r.value.succeeded) acks.push({ key, last: ops.length > 1 ? last : '', value, revision: r.value.revision, at: Date.now() });
        else failures++;
      }
    };
    const writing = Array.from({ length: WRITERS }, (_, w) => writer(w));
    while (acks.length < 300) await new Promise((r) => setTimeout(r, 20));

    const admin = await connect({ servers: urls });
    const jsm = await jetstreamManager(admin);
    const leader = (await jsm.streams.info('KV_ha')).cluster?.leader;
    const victim = servers.find((_, i) => `n${i + 1}` === leader)!;
    assert.ok(victim, `the stream leader ${leader} is one of ours`);
    const before = acks.length;
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    while (acks.length < before + 300) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await Promise.all(writing);
    await admin.close();

    // The longest pause between two acknowledged writes around the kill: what the failure cost the writers.
    const after = acks.filter((a) => a.at >= killedAt).map((a) => a.at);
    const gap = Math.max(after[0]! - killedAt, ...after.slice(1).map((t, i) => t - after[i]!));
    if (process.env.KV_HA_VERBOSE) console.error(`jetstream R3: ${acks.length} acks, ${failures} failed txns, write gap after killing the leader ${gap} ms`);

    // A second reader on its own connection, after the kill, sees every acknowledged write.
    const nc2 = await connect({ servers: urls.filter((u) => u !== victim.url) });
    // Retried: on a loaded machine the cluster may still be electing when the writers stop (the JetStream API times out meanwhile).
    const check = await retrying(() => JetStreamKv.open({ nc: nc2, bucket: 'ha', replicas: 3, historyLimit: 100_000 }));
    try {
      const items = new Map((await check.range('/ha/')).items.map((r) => [r.key, r]));
      const newest = new Map<string, Ack>();
      for (const a of acks) for (const k of [a.key, a.last]) if (k && (newest.get(k)?.revision ?? 0) < a.revision) newest.set(k, a);
      for (const [key, a] of newest) {
        const rec = items.get(key);
        assert.ok(rec, `acknowledged key ${key} is missing`);
        assert.ok(rec.modRevision >= a.revision, `${key} went back from ${a.revision} to ${rec.modRevision}`);
        if (rec.modRevision === a.revision) assert.equal(rec.value, a.value);
      }
      for (const a of acks) {
        assert.equal((await check.get(a.key, a.revision)).kv?.value, a.value, `history lost ${a.key}@${a.revision}`);
        if (a.last) assert.equal((await check.get(a.last, a.revision)).kv?.modRevision, a.revision, `${a.last} was not written with ${a.key}`);
      }
      assert.is(new Set(acks.map((a) => a.revision)).size, acks.length, 'every acknowledged txn has its own revision');
    } finally {
      await check.close();
      await nc2.close();
    }
  } finally {
    await backend?.close();
    await bus.close();
    const pids = servers.map((s) => s.pid);
    await Promise.all(servers.map((s) => s.stop()));
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `nats-server ${pid} is gone`);
  }
});

test.run();
