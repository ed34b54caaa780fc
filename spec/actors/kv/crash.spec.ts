import { spawn, type ChildProcess } from 'node:child_process';
import { LOADER } from '../../helpers/cli.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LmdbKv } from '../../../actors/kv/lmdb.ts';
import { seededRandom } from '../../../actors/random.ts';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
// 24 in `npm test`; the crash soak (soak/run.mjs crash) runs 200 from a fresh seed.
const ROUNDS = Number(process.env.KV_CRASH_ROUNDS ?? 24);
const SEED = Number(process.env.KV_CRASH_SEED ?? 20240611);

interface Ack {
  key: string;
  last: string;
  value: { tag: string; w: number; j: number };
  revision: number;
}

/** Starts the child and resolves once its store is open, with its acks collected as they come. */
function start(dir: string, tag: string): Promise<{ child: ChildProcess; acks: Ack[]; opened: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', LOADER, CHILD, dir, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
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

test(`crash durability: every acknowledged write survives ${ROUNDS} SIGKILLs at random moments`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kv-crash-'));
  const random = seededRandom(SEED);
  /** Per key, the newest acknowledged write. */
  const newest = new Map<string, Ack>();
  const all: Ack[] = [];
  let lastRevision = 0;
  let total = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const { child, acks, opened } = await start(dir, `r${round}`);
      assert.ok(opened >= lastRevision, `round ${round}: reopened at ${opened}, below ${lastRevision}`);
      await new Promise((r) => setTimeout(r, 30 + Math.floor(random() * 250)));
      await killed(child);
      for (const a of acks) {
        all.push(a);
        for (const k of [a.key, a.last]) if ((newest.get(k)?.revision ?? 0) < a.revision) newest.set(k, a);
      }
      total += acks.length;

      // The parent opens the killed store itself: it must open cleanly and hold every acknowledged write.
      const kv = new LmdbKv({ path: dir, historyLimit: 3000 });
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
    assert.ok(total > ROUNDS, `only ${total} acknowledged writes in ${ROUNDS} rounds`);
    assert.ok(all.length === total);
    if (process.env.KV_CRASH_VERBOSE) console.error(`crash: ${total} acknowledged writes, final revision ${lastRevision}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
