// The JetStream rows of the kv bench: R1 on one nats-server -js, R3 on a three-server cluster
// on loopback (both Debian's nats-server 2.9.10, file storage, started and stopped by PID).
// Entries of bench/_kv-backends.ts's KV_BENCH_BACKENDS (the hook: push these onto that list).
import { existsSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import type { KvBackend } from '../actors/kv/backend.ts';
import { JetStreamKv } from '../actors/kv/jetstream.ts';
import { freePort, startNatsServer, type NatsServerHandle } from '../actors/nats-server.ts';

/** Structurally bench/_kv-backends.ts's KvBenchBackend. */
interface JetStreamBenchBackend {
  name: string;
  unavailable(): string | null;
  open(dir: string): Promise<{ backend: KvBackend; close(): Promise<void> }>;
}

const HISTORY = 1_000_000;
const binary = (): string => process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

async function servers(n: 1 | 3): Promise<NatsServerHandle[]> {
  if (n === 1) return [await startNatsServer({ jetstream: true })];
  const client = [await freePort(), await freePort(), await freePort()];
  const routes = [await freePort(), await freePort(), await freePort()];
  return Promise.all(client.map((port, i) => startNatsServer({ jetstream: true, port, cluster: { name: 'bench', serverName: `n${i + 1}`, port: routes[i]!, routes } })));
}

function jetstreamBackend(replicas: 1 | 3): JetStreamBenchBackend {
  return {
    name: `jetstream_r${replicas}`,
    unavailable: () => (existsSync(binary()) ? null : `no nats-server binary (${binary()} or $NATS_SERVER)`),
    open: async () => {
      const nats = await servers(replicas);
      const nc = await connect({ servers: nats.map((s) => s.url) });
      // A new cluster elects its JetStream meta leader first: retry the bucket's creation for a while.
      let backend: JetStreamKv | null = null;
      for (let tries = 0; !backend; tries++) {
        try {
          backend = await JetStreamKv.open({ nc, bucket: 'bench', replicas, historyLimit: HISTORY });
        } catch (err) {
          if (tries > 100) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      const opened = backend;
      return {
        backend: opened,
        close: async () => {
          await opened.close();
          await nc.close();
          await Promise.all(nats.map((s) => s.stop()));
        },
      };
    },
  };
}

export const JETSTREAM_BENCH_BACKENDS: JetStreamBenchBackend[] = [jetstreamBackend(1), jetstreamBackend(3)];
