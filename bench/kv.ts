// kv throughput of every backend side by side, each through the kv actor on the in-process bus
// (memory, LMDB, etcd — see bench/_kv-backends.ts), the raw LMDB backend for the actor's own
// cost, and etcd's own figures for the same load (its HTTP/JSON gateway, bench/_kv-etcd.ts).
// Usage: node bench/run.mjs kv [--seconds 2] [--no-etcd] [--only memory,lmdb,etcd]
// Progress on stderr; one JSON line last on stdout.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../base/real-clock.ts';
import { ActorHost } from '../actors/host.ts';
import { kvActor } from '../actors/kv/actor.ts';
import type { KvBackend, KvEvent } from '../actors/kv/backend.ts';
import { LmdbKv } from '../actors/kv/lmdb.ts';
import { memoryLogger } from '../actors/logger.ts';
import { InProcessBus } from '../bus/inprocess.ts';
import { APISERVER_ADDRESS, KV_ADDRESS } from '../bus/permissions.ts';
import { etcdWrites } from './_kv-etcd.ts';
import { KV_BENCH_BACKENDS } from './_kv-backends.ts';
import { isMessage } from '../bus/catalogue/index.ts';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] || 2) || 2;
const withEtcd = !args.includes('--no-etcd') && existsSync('/usr/bin/etcd');
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : null;
const progress = (msg: string): void => void process.stderr.write(`kv bench: ${msg}\n`);
const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

/** A pod-sized value, so encoding and page writes cost what they would in a cluster. */
const pod = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `pod-${i}`, namespace: 'default', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, labels: { app: 'bench', tier: 'web' } },
  spec: { nodeName: `node-${i % 50}`, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
  status: { phase: 'Running', podIP: `10.0.${(i >> 8) & 255}.${i & 255}` },
});

/** Runs `writers` loops of `write` for `seconds`; returns writes/s and mean latency. */
async function drive(writers: number, write: (i: number) => Promise<unknown>): Promise<{ perS: number; latencyMs: number }> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  let latency = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; performance.now() < end; i += writers) {
        const t = performance.now();
        await write(i);
        latency += performance.now() - t;
        n++;
      }
    }),
  );
  return { perS: n / ((performance.now() - t0) / 1000), latencyMs: latency / n };
}

const ok = (r: { ok: boolean }): void => {
  if (!r.ok) throw new Error(`kv request failed: ${JSON.stringify(r)}`);
};

/** The kv actor on `backend`: writes by 1 and 100 writers (with one live watch), reads, and a watch replaying everything. */
async function throughActor(name: string, backend: KvBackend): Promise<Record<string, number>> {
  const bus = new InProcessBus({ clock: realClock, requestTimeoutMs: 60_000 });
  const host = new ActorHost({ bus, clock: realClock, seed: 1, logger: memoryLogger() });
  host.spawn(kvActor(backend));
  let live = 0;
  const replayed: KvEvent[] = [];
  let replayDone: (() => void) | null = null;
  let replayTarget = Infinity;
  const api = bus.register(APISERVER_ADDRESS, (env) => {
    if (!isMessage(env, 'kv.events')) return;
    const { id, events } = env.payload;
    if (id === 'live') live += events.length;
    else {
      replayed.push(...events);
      if (replayed.length >= replayTarget) replayDone?.();
    }
  });
  const put = (i: number) =>
    api.request(KV_ADDRESS, 'kv.txn', { ops: [{ op: 'put', key: `/registry/pods/default/pod-${i % 1000}`, value: pod(i) }] }).then(ok);
  const start = backend.revision();

  progress(`${name}: kv actor, 1 writer`);
  const one = await drive(1, put);
  ok(await api.request(KV_ADDRESS, 'kv.watch', { id: 'live', prefix: '/registry/', afterRevision: backend.revision() }));
  progress(`${name}: kv actor, 100 writers (with one live watch)`);
  const liveFrom = performance.now();
  const hundred = await drive(100, put);
  const liveSecs = (performance.now() - liveFrom) / 1000;
  while (live < hundred.perS * liveSecs * 0.999) await new Promise((r) => setTimeout(r, 5));

  progress(`${name}: kv actor, reads (16 concurrent gets)`);
  const reads = await drive(16, (i) => api.request(KV_ADDRESS, 'kv.get', { key: `/registry/pods/default/pod-${(i * 7919) % 1000}` }).then(ok));

  replayTarget = backend.revision() - start;
  progress(`${name}: kv actor, watch replay of ${replayTarget} revisions`);
  const replayStart = performance.now();
  const done = new Promise<void>((r) => (replayDone = r));
  ok(await api.request(KV_ADDRESS, 'kv.watch', { id: 'replay', prefix: '/registry/', afterRevision: start }));
  await done;
  const replayPerS = replayTarget / ((performance.now() - replayStart) / 1000);
  host.stopAll();
  await bus.close();
  return {
    [`${name}_writes_1_writer_per_s`]: round(one.perS),
    [`${name}_write_latency_1_writer_ms`]: round(one.latencyMs, 3),
    [`${name}_writes_100_writers_per_s`]: round(hundred.perS),
    [`${name}_write_latency_100_writers_ms`]: round(hundred.latencyMs, 3),
    [`${name}_reads_per_s`]: round(reads.perS),
    [`${name}_watch_live_events_per_s`]: round(live / liveSecs),
    [`${name}_watch_replay_events_per_s`]: round(replayPerS),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-bench-kv-'));
const out: Record<string, number | string | string[] | Record<string, number | string>> = {};
const measured: string[] = [];
try {
  // The raw LMDB backend first: what the kv actor and the bus add on top of it.
  {
    const raw = new LmdbKv({ path: join(dir, 'raw') });
    progress('raw lmdb backend, 1 writer');
    const one = await drive(1, (i) => raw.txn([{ op: 'put', key: `/registry/pods/default/pod-${i % 1000}`, value: pod(i) }]));
    progress('raw lmdb backend, 100 writers');
    const hundred = await drive(100, (i) => raw.txn([{ op: 'put', key: `/registry/pods/default/pod-${i % 1000}`, value: pod(i) }]));
    out.raw_lmdb_1_writer_writes_per_s = round(one.perS);
    out.raw_lmdb_1_writer_latency_ms = round(one.latencyMs, 3);
    out.raw_lmdb_100_writers_writes_per_s = round(hundred.perS);
    await raw.close();
  }

  for (const b of KV_BENCH_BACKENDS) {
    if (only && !only.has(b.name)) continue;
    const why = b.unavailable();
    if (why) {
      progress(`${b.name} skipped: ${why}`);
      continue;
    }
    const store = await b.open(join(dir, b.name));
    try {
      Object.assign(out, await throughActor(b.name, store.backend));
      measured.push(b.name);
    } finally {
      await store.close();
    }
  }

  if (withEtcd) {
    progress('etcd 3.4 on loopback by itself (HTTP/JSON gateway), 1 and 100 clients');
    try {
      Object.assign(out, await etcdWrites(join(dir, 'etcd-own'), seconds, pod));
    } catch (err) {
      progress(`etcd skipped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

out.backends = measured;
out.value_bytes = JSON.stringify(pod(1)).length;
out.anchor = {
  etcd_1_client_writes_per_s: 583,
  etcd_1_client_latency_ms: 1.6,
  etcd_1000_clients_writes_per_s: 44000,
  source: 'etcd.io/docs/v3.5/op-guide/performance',
};
console.log(JSON.stringify(out));
