// The backends the kv bench measures side by side, each through the kv actor. One entry per
// backend; a backend living in another file (e.g. JetStream) adds its entry to KV_BENCH_BACKENDS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KvBackend } from '../actors/kv/backend.ts';
import { MemoryKv } from '../actors/kv/memory.ts';
import { LmdbKv } from '../actors/kv/lmdb.ts';
import { EtcdKv } from '../actors/kv/etcd.ts';
import { startEtcd } from '../actors/etcd-server.ts';
import { JETSTREAM_BENCH_BACKENDS } from './_kv-jetstream.ts';

export interface KvBenchBackend {
  /** The prefix of its figures in the bench's JSON line: `<name>_writes_1_writer_per_s`, … */
  name: string;
  /** Why it is skipped on this machine (e.g. a missing binary), or null. */
  unavailable(): string | null;
  /** A fresh store in `dir` (and whatever server it needs); `close` ends both. */
  open(dir: string): Promise<{ backend: KvBackend; close(): Promise<void> }>;
}

const HISTORY = 1_000_000;

export const KV_BENCH_BACKENDS: KvBenchBackend[] = [
  {
    name: 'memory',
    unavailable: () => null,
    open: async () => {
      const backend = new MemoryKv({ historyLimit: HISTORY });
      return { backend, close: () => backend.close() };
    },
  },
  {
    name: 'lmdb',
    unavailable: () => null,
    open: async (dir) => {
      const backend = new LmdbKv({ path: join(dir, 'lmdb'), historyLimit: HISTORY });
      return { backend, close: () => backend.close() };
    },
  },
  {
    // A single-member etcd 3.4 on loopback (fsync on, its default), through EtcdKv's gRPC client.
    name: 'etcd',
    unavailable: () => (existsSync(process.env.ETCD ?? '/usr/bin/etcd') ? null : 'no etcd binary (/usr/bin/etcd or $ETCD)'),
    open: async () => {
      const etcd = await startEtcd();
      const backend = await EtcdKv.open({ endpoints: etcd.endpoints, historyLimit: HISTORY });
      return {
        backend,
        close: async () => {
          await backend.close();
          await etcd.stop();
        },
      };
    },
  },
];


// JetStream R1 and R3 (bench/_kv-jetstream.ts: its own nats-server -js, three for R3).
KV_BENCH_BACKENDS.push(...JETSTREAM_BENCH_BACKENDS);
