import { spawn, type ChildProcess } from 'node:child_process';
import { LOADER } from '../../helpers/cli.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LmdbKv } from '../../../actors/kv/lmdb.ts';
import { JetStreamKv } from '../../../actors/kv/jetstream.ts';
import { EtcdKv } from '../../../actors/kv/etcd.ts';
import type { KvBackend } from '../../../actors/kv/backend.ts';
import { etcdLeftovers, startEtcd } from '../../helpers/etcd.ts';
import { startNatsServer } from '../../helpers/nats-server.ts';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { seededRandom } from '../../../actors/random.ts';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
// 24 in `npm test`; the crash soak (soak/run.mjs crash) runs 200 from a fresh seed.
const ROUNDS = Number(process.env.KV_CRASH_ROUNDS ?? 24);
const SEED = Number(process.env.KV_CRASH_SEED ?? 20240611);
const ETCD_ROUNDS = 10;
/** Where the child keeps its keys in etcd (fixtures/crash-child.ts). */
const CRASH_ETCD_PREFIX = '/crash-spec';

interface Ack {
  key: string;
  last: string;
  value: { tag: string; w: number; j: number };
  revision: number;
}

/** Starts the child and resolves once its store is open, with its acks collected as they come. */
function start(dir: string, tag: string, nats?: string): Promise<{ child: ChildProcess; acks: Ack[]; opened: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', LOADER, CHILD, dir, tag, ...(nats ? [nats] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buf = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`child did not open the store in time: ${err}`)), 15_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      // Only whole lines count: a SIGKILL can cut the last one short.
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('A ')) acks.push(JSON.parse(line.slice(2)) as Ack);
        else if (line.startsWith('R ')) {
          clearTimeout(timer);
          resolve({ child, acks, opened: Number(line.slice(2)) });
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (${code ?? signal}): ${err}`));
    });
  });
}

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/**
 * Rounds of: start the child, let it write, SIGKILL it (and `afterKill`, e.g. the store's
 * server too), open the store in this process and check every acknowledged write.
 */
async function crashRounds(
  rounds: number,
  dir: string,
  open: () => Promise<KvBackend>,
  opts: { minLifeMs?: number; nats?: { url: string; afterKill: () => Promise<void> } } = {},
): Promise<void> {
  const { nats, minLifeMs = 30 } = opts;
  const random = seededRandom(SEED);
  /** Per key, the newest acknowledged write. */
  const newest = new Map<string, Ack>();
  const all: Ack[] = [];
  let lastRevision = 0;
  let total = 0;
  {
    for (let round = 0; round < rounds; round++) {
      const { child, acks, opened } = await start(dir, `r${round}`, nats?.url);
      assert.ok(opened >= lastRevision, `round ${round}: reopened at ${opened}, below ${lastRevision}`);
      await new Promise((r) => setTimeout(r, minLifeMs + Math.floor(random() * 250)));
      await killed(child);
      await nats?.afterKill();
      for (const a of acks) {
        all.push(a);
        for (const k of [a.key, a.last]) if ((newest.get(k)?.revision ?? 0) < a.revision) newest.set(k, a);
      }
      total += acks.length;

      // The parent opens the killed store itself: it must open cleanly and hold every acknowledged write.
      const kv = await open();
      try {
        const rev = kv.revision();
        assert.ok(rev >= lastRevision, `round ${round}: revision went back from ${lastRevision} to ${rev}`);
        const maxAcked = Math.max(0, ...acks.map((a) => a.revision));
        assert.ok(rev >= maxAcked, `round ${round}: revision ${rev} is below an acknowledged ${maxAcked}`);
        lastRevision = rev;
        const items = new Map((await kv.range('/crash/')).items.map((r) => [r.key, r]));
        for (const [key, ack] of newest) {
          const rec = items.get(key);
          assert.ok(rec, `round ${round}: acknowledged key ${key} is missing`);
          assert.ok(rec.modRevision >= ack.revision, `round ${round}: ${key} went back from ${ack.revision} to ${rec.modRevision}`);
          if (rec.modRevision === ack.revision) assert.equal(rec.value, ack.value, `round ${round}: ${key} has the wrong value`);
        }
        // A txn is all-or-nothing: each writer's `last` key and the key it wrote with it share one revision.
        for (const [key, rec] of items) {
          if (!key.endsWith('/last')) continue;
          const v = rec.value as Ack['value'];
          const pair = items.get(key.replace(/last$/, `k${v.j % 5}`));
          assert.is(pair?.modRevision, rec.modRevision, `round ${round}: ${key} and its pair were not written together`);
        }
        // Retained history holds the acknowledged writes too.
        const compact = kv.compactRevision();
        for (const a of acks.slice(-50)) {
          if (a.revision <= compact) continue;
          assert.equal((await kv.get(a.key, a.revision)).kv?.value, a.value, `round ${round}: history lost ${a.key}@${a.revision}`);
        }
      } finally {
        await kv.close();
      }
    }
    assert.ok(total > rounds, `only ${total} acknowledged writes in ${rounds} rounds`);
    assert.ok(all.length === total);
    if (process.env.KV_CRASH_VERBOSE) console.error(`crash: ${total} acknowledged writes, final revision ${lastRevision}`);
  }
}

test(`crash durability (lmdb): every acknowledged write survives ${ROUNDS} SIGKILLs at random moments`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kv-crash-'));
  try {
    await crashRounds(ROUNDS, dir, async () => new LmdbKv({ path: dir, historyLimit: 3000 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`crash durability (etcd): the writing process SIGKILLed ${ETCD_ROUNDS} times, every acknowledged write is in etcd, revisions never go back`, async () => {
  const etcd = await startEtcd();
  try {
    // Each write is a network round trip with etcd's fsync: the child lives long enough to get some acknowledged.
    await crashRounds(ETCD_ROUNDS, etcd.storage, () => EtcdKv.open({ endpoints: etcd.endpoints, root: '', prefix: CRASH_ETCD_PREFIX, historyLimit: 3000 }), { minLifeMs: 400 });
  } finally {
    await etcd.stop();
  }
  assert.equal(etcdLeftovers(), []);
});

test(`crash durability (jetstream): every acknowledged write survives SIGKILLs of the writer and of nats-server`, async () => {
  const server = await startNatsServer({ jetstream: true });
  const conns: NatsConnection[] = [];
  try {
    const afterKill = async (): Promise<void> => {
      for (const nc of conns.splice(0)) await nc.close();
      process.kill(server.pid, 'SIGKILL');
      await server.restart();
    };
    await crashRounds(8, '-', async () => {
      const nc = await connect({ servers: server.url });
      conns.push(nc);
      return JetStreamKv.open({ nc, bucket: 'crash', historyLimit: 3000 });
    }, { nats: { url: server.url, afterKill } });
  } finally {
    for (const nc of conns) await nc.close();
    const pid = server.pid;
    await server.stop();
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `nats-server ${pid} is gone`);
  }
});

test.run();
