/**
 * A cluster inside a test (issue 18): the time from `startCluster()` (the package entry, as a
 * test suite imports it) to an API that answers /readyz, first in a fresh process and then
 * warm, and 20 clusters started at once in one process — each with the controllers, the
 * scheduler and a simulated node.
 *
 *   npm run bench -- startup [--clusters 20] [--warm 5]
 */
import { request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { arg, heapAfterGc } from './_cluster.ts';

const CLUSTERS = arg('clusters', 20);
const WARM = arg('warm', 5);

type Started = { url: string; caCert: string; token: string; stop(): Promise<void> };

/** GET /readyz until it answers 200. */
async function ready(c: Started): Promise<void> {
  for (;;) {
    const code = await new Promise<number>((resolve) => {
      const req = request(`${c.url}/readyz`, { ca: c.caCert, headers: { authorization: `Bearer ${c.token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    if (code === 200) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const t0 = performance.now();
const { startCluster } = await import('kubeactor');
const importMs = performance.now() - t0;

async function timed(): Promise<{ ms: number; cluster: Started }> {
  const start = performance.now();
  const cluster = await startCluster();
  await ready(cluster);
  return { ms: performance.now() - start, cluster };
}

const first = await timed();
await first.cluster.stop();
process.stderr.write(`bench startup: first cluster ready in ${first.ms.toFixed(0)} ms (import ${importMs.toFixed(0)} ms)\n`);
const warm: number[] = [];
for (let i = 0; i < WARM; i++) {
  const w = await timed();
  warm.push(w.ms);
  await w.cluster.stop();
}
warm.sort((a, b) => a - b);
process.stderr.write(`bench startup: warm ${warm.map((m) => m.toFixed(0)).join(', ')} ms\n`);

const heapBefore = heapAfterGc();
const manyStart = performance.now();
const many = await Promise.all(Array.from({ length: CLUSTERS }, () => timed()));
const manyMs = performance.now() - manyStart;
const heapPerCluster = (heapAfterGc() - heapBefore) / CLUSTERS;
const ports = new Set(many.map((m) => m.cluster.url)).size;
process.stderr.write(`bench startup: ${CLUSTERS} clusters at once ready in ${manyMs.toFixed(0)} ms, ${ports} distinct ports\n`);
const rss = process.memoryUsage().rss;
await Promise.all(many.map((m) => m.cluster.stop()));

console.log(JSON.stringify({
  bench: 'startup',
  import_ms: Math.round(importMs),
  first_cluster_ready_ms: Math.round(first.ms),
  warm_cluster_ready_p50_ms: Math.round(warm[Math.floor(warm.length / 2)] ?? 0),
  clusters: CLUSTERS,
  clusters_ready_ms: Math.round(manyMs),
  clusters_distinct_ports: ports,
  heap_per_cluster_bytes: Math.round(heapPerCluster),
  rss_with_clusters_bytes: rss,
  anchor: {
    envtest_ready_s: '5-20', kind_create_cluster_s: 33, k3d_cluster_create_s: 20,
    source: 'issue 18: envtest (controller-runtime: a real etcd and kube-apiserver, no controllers), kind and k3d cluster creation',
  },
}));
