// etcd measured the same way as the kv actor, for a side-by-side figure on this machine:
// a single-member etcd 3.4 on loopback with a temporary data directory (fsync on, its
// default), written through its HTTP/JSON gateway (/v3/kv/put) by 1 and by 100 clients.
// The gateway adds JSON and HTTP cost that etcd's own gRPC benchmark does not pay.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export async function etcdWrites(dataDir: string, seconds: number, value: (i: number) => unknown): Promise<Record<string, number>> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const etcd = spawn(
    '/usr/bin/etcd',
    ['--name', 'bench', '--data-dir', dataDir, '--listen-client-urls', url, '--advertise-client-urls', url, '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `bench=${peerUrl}`, '--log-level', 'error'],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (healthy) break;
      if (Date.now() > deadline) throw new Error('etcd did not become healthy in 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const put = async (i: number): Promise<void> => {
      const body = JSON.stringify({ key: b64(`/registry/pods/default/pod-${i % 1000}`), value: b64(JSON.stringify(value(i))) });
      const r = await fetch(`${url}/v3/kv/put`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      if (!r.ok) throw new Error(`etcd put: HTTP ${r.status}`);
      await r.arrayBuffer();
    };
    const drive = async (clients: number): Promise<{ perS: number; latencyMs: number }> => {
      const end = performance.now() + seconds * 1000;
      const t0 = performance.now();
      let n = 0;
      let latency = 0;
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          for (let i = c; performance.now() < end; i += clients) {
            const t = performance.now();
            await put(i);
            latency += performance.now() - t;
            n++;
          }
        }),
      );
      return { perS: n / ((performance.now() - t0) / 1000), latencyMs: latency / n };
    };
    const one = await drive(1);
    const hundred = await drive(100);
    return {
      local_etcd_1_client_writes_per_s: Math.round(one.perS),
      local_etcd_1_client_latency_ms: Number(one.latencyMs.toFixed(3)),
      local_etcd_100_clients_writes_per_s: Math.round(hundred.perS),
    };
  } finally {
    etcd.kill('SIGTERM');
    await new Promise((r) => (etcd.exitCode !== null ? r(null) : etcd.once('exit', r)));
  }
}
