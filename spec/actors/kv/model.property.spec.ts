/**
 * The kv backends against a model (spec/actors/kv/model.ts): random sequences of txns,
 * bursts, past reads, paged ranges, compactions and watches, on memory and on lmdb, with
 * a small history limit so automatic compaction happens too. Fixed seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import fc from 'fast-check';
import { check } from '../../helpers/fuzz.ts';
import { command, runCommands } from './model.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { LmdbKv } from '../../../actors/kv/lmdb.ts';
import type { KvBackend } from '../../../actors/kv/backend.ts';

const LIMIT = 12;
const backends: Record<string, () => { kv: KvBackend; done: () => void }> = {
  memory: () => ({ kv: new MemoryKv({ historyLimit: LIMIT }), done: () => {} }),
  lmdb: () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kv-model-'));
    return { kv: new LmdbKv({ path: dir, historyLimit: LIMIT }), done: () => rmSync(dir, { recursive: true, force: true }) };
  },
};

for (const [name, open] of Object.entries(backends)) {
  test(`kv ${name}: every answer matches the model (txn, bursts, past reads, paged ranges, compaction, watches)`, () =>
    check(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (cmds) => {
      const { kv, done } = open();
      try {
        await runCommands(kv, cmds, LIMIT);
      } finally {
        await kv.close();
        done();
      }
    }), name === 'memory' ? 150 : 60));
}

test.run();
