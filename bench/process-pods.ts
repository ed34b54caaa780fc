/**
 * Process pods on one node: a control plane, one kubelet whose default runtime is
 * `process`, and N pods (default 200) bound to it directly (no scheduler: the node's
 * 110-pod capacity is Kubernetes' default, not a limit of the runtime). Each pod is one
 * bubblewrap sandbox running `--image` (default busybox `sleep 3600`; e.g.
 * `--image kubeactor/http-echo:1.0` for a Node program per pod).
 *
 * Measures pods/s (first create to the last pod Running, as a watch sees it), pod startup
 * latency p50/p99 (create call to Running seen by the watch; SLO p99 <= 5 s, image pull
 * excluded — here the catalogue resolves at once; a kubelet with containerd starts a
 * cached-image pod in about a second), and memory per running pod: ours (this process's
 * RSS growth / N) beside the pods' own processes (the summed RSS of every sandbox's
 * processes / N).
 *
 * Usage: npm run bench -- process-pods [--pods 200] [--image busybox] [--window 50]
 * Prints progress on stderr and one JSON line last on stdout.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startSimNodes } from '../actors/kubelet/index.ts';
import { realClock } from '../base/real-clock.ts';
import { targets } from '../actors/client/index.ts';
import { findBwrap } from '../actors/runtime/process/sandbox.ts';
import { arg, argText, inWindow, machine, percentile, progress, round, sleep, startBenchCluster, within } from './_cluster.ts';

const PODS = arg('pods', 200);
const IMAGE = argText('image', 'busybox');
const WINDOW = arg('window', 50);
const NS = 'default';
if (!findBwrap()) throw new Error('the process-pods bench needs bubblewrap (bwrap): apt-get install bubblewrap');

const c = await startBenchCluster({ tag: 'process-pods', storage: 'memory' });
const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-bench-process-'));
const nodes = await startSimNodes({ host: c.cp.host, count: 1, clock: realClock, defaultRuntime: 'process', dataDir });
const node = nodes.names[0]!;
await sleep(1000);
const baseRss = process.memoryUsage.rss();

const created = new Map<string, number>();
const running = new Map<string, number>();
let allRunning!: () => void;
const done = new Promise<void>((r) => (allRunning = r));
const report = progress(c.log, 'pods Running', PODS);
await c.client.watch(targets.pods(NS), (events) => {
  const now = performance.now();
  for (const ev of events) {
    const p = ev.object as Pod;
    const name = p.metadata?.name ?? '';
    if (running.has(name) || p.status?.phase !== 'Running') continue;
    running.set(name, now);
  }
  report(running.size);
  if (running.size >= PODS) allRunning();
});

const command = IMAGE.startsWith('busybox') || IMAGE.startsWith('alpine') ? { command: ['sleep', '3600'] } : {};
const t0 = performance.now();
await inWindow(PODS, WINDOW, async (i) => {
  const name = `proc-${i}`;
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: IMAGE, ...command }] } };
  created.set(name, performance.now());
  const r = await c.client.api.create(targets.pods(NS), pod);
  if (!r.ok) throw new Error(`creating ${name}: ${r.status.message}`);
});
if ((await within(done, 600_000)) !== 'ok') throw new Error(`only ${running.size}/${PODS} pods Running after 600 s`);
const wallS = (performance.now() - t0) / 1000;
await sleep(1000);

const oursPerPod = (process.memoryUsage.rss() - baseRss) / PODS;
const sandboxRss = sandboxesRss(join(dataDir, 'nodes', node, 'pgids'));
const startup = [...running].map(([name, at]) => at - (created.get(name) ?? at));
c.log(`${PODS} pods Running in ${round(wallS, 2)} s; sandboxes hold ${Math.round(sandboxRss.total / 2 ** 20)} MiB in ${sandboxRss.processes} processes`);

// Stopping the kubelet ends its pods' processes.
nodes.stop();
await sleep(1500);
await c.stop();
rmSync(dataDir, { recursive: true, force: true });

console.log(JSON.stringify({
  bench: 'process-pods',
  pods: PODS,
  image: IMAGE,
  wall_s: round(wallS, 2),
  pods_per_s: round(PODS / wallS, 1),
  startup_p50_ms: Math.round(percentile(startup, 50)),
  startup_p99_ms: Math.round(percentile(startup, 99)),
  slo_startup_p99_ms: 5000,
  anchor: 'Kubernetes pod startup SLO: p99 <= 5 s (stateless pods, image pull excluded); kubelet + containerd start a cached-image pod in about 1 s',
  ours_rss_per_pod_kib: Math.round(oursPerPod / 1024),
  pod_processes_rss_per_pod_kib: Math.round(sandboxRss.total / PODS / 1024),
  pod_processes: sandboxRss.processes,
  ...machine(),
}));
process.exit(0);

/** The summed VmRSS of every process in the process groups the runtime recorded. */
function sandboxesRss(pgidDir: string): { total: number; processes: number } {
  const groups = new Set(readdirSync(pgidDir).map(Number));
  let total = 0;
  let processes = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!groups.has(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]))) continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      total += Number(kb ?? 0) * 1024;
      processes++;
    } catch { /* gone */ }
  }
  return { total, processes };
}
