/**
 * Kubernetes scheduler_perf SchedulingBasic (test/integration/scheduler_perf/misc,
 * performance-config.yaml): createNodes (fake Node objects, no kubelets — here created
 * through the API, Ready, 4 cpu / 32Gi / 110 pods like node-default.yaml), createPods
 * initPods (1,000), then createPods measurePods (10,000) with metrics collected. The
 * figure is SchedulingThroughput: pods bound per second during the measured phase —
 * average (measured pods / time from the first measured create until the last one is
 * observed bound by a watch) and percentiles of the per-second samples, as upstream's
 * throughput collector reports them.
 *
 * The scheduler's client runs at scheduler_perf's rest config, QPS 5000 / burst 5000
 * (mustSetupCluster): its binds and its Scheduled events share that one bucket, so it caps
 * the figure near 2,500 pods/s once the burst is spent. `--qps` / `--burst` change it (the
 * other benches' 1000 / 1000 held this one to 500 pods/s).
 *
 * Usage: npm run bench -- scheduler-perf [--nodes 5000] [--init 1000] [--pods 10000] [--storage memory|lmdb] [--window 500] [--qps 5000] [--burst 5000] [--cpu-prof FILE]
 *   --pods 50000 is SchedulingBasic/5000Nodes_50000Pods. `--cpu-prof FILE` writes a V8 CPU
 *   profile of the main thread during measurePods only (open it in Chrome DevTools).
 * Prints progress on stderr and one JSON line last on stdout.
 */
import { BENCH_CLIENT_LIMITS, machine, arg, argText, storageArg, inWindow, percentile, progress, round, rssSampler, sleep, startBenchCluster } from './_cluster.ts';
import { processClientStats, targets } from '../actors/client/index.ts';
import { CpuProfiler } from './_profile.ts';

const NODES = arg('nodes', 5000);
const INIT = arg('init', 1000);
const PODS = arg('pods', 10_000);
const WINDOW = arg('window', 500);
const STORAGE = storageArg();
const TIMEOUT_MS = arg('timeout-s', 900) * 1000;
const CPU_PROF = argText('cpu-prof', '');
/** scheduler_perf's client config: `cfg.QPS = 5000.0; cfg.Burst = 5000` (util.go mustSetupCluster). */
const QPS = arg('qps', 5000);
const BURST = arg('burst', 5000);

/** Upstream CI thresholds (performance-config.yaml, SchedulingBasic): pods/s. */
const THRESHOLDS: Record<number, number> = { 10_000: 680, 50_000: 810 };

const loadAtStart = machine();
const rss = rssSampler();
const clientLimits = { ...BENCH_CLIENT_LIMITS, scheduler: { qps: QPS, burst: BURST } };
const c = await startBenchCluster({ tag: 'scheduler-perf', storage: STORAGE, fakeNodes: NODES, scheduler: true, clientLimits });
const { client, log } = c;
if (c.scheduler.kind !== 'actor') {
  log('the scheduler actor is required (actors/scheduler/index.ts with startScheduler)');
  await c.stop();
  console.log(JSON.stringify({ bench: 'scheduler-perf', error: 'no scheduler actor', nodes: NODES, pods: PODS }));
  process.exit(1);
}

for (const ns of ['sched-init', 'sched-measure']) {
  const r = await client.api.create(targets.namespaces(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (!r.ok) throw new Error(`namespace ${ns}: ${r.status.message}`);
}

/** scheduler_perf's pod-default.yaml. */
const pod = (ns: string, i: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `pod-${i}`, namespace: ns },
  spec: {
    containers: [
      {
        name: 'pause',
        image: 'registry.k8s.io/pause:3.10',
        ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '100m', memory: '500Mi' }, requests: { cpu: '100m', memory: '500Mi' } },
      },
    ],
  },
});

const bound = new Map<string, number>([
  ['sched-init', 0],
  ['sched-measure', 0],
]);
const seen = new Set<string>();
/** performance.now() at which each measured pod was observed bound. */
const boundAt: number[] = [];
let onBound: ((n: number) => void) | undefined;
await client.watch(targets.pods(), (events) => {
  for (const ev of events) {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
    const m = ev.object.metadata ?? {};
    const key = `${m.namespace}/${m.name}`;
    if (!(ev.object.spec as { nodeName?: string } | undefined)?.nodeName || seen.has(key)) continue;
    seen.add(key);
    bound.set(m.namespace ?? '', (bound.get(m.namespace ?? '') ?? 0) + 1);
    if (m.namespace === 'sched-measure') boundAt.push(performance.now());
  }
  rss.poke();
  onBound?.(bound.get('sched-measure') ?? 0);
});

async function phase(ns: string, count: number): Promise<{ s: number; t0: number; cpuS: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  onBound = ns === 'sched-measure' ? progress(log, `${ns} pods bound`, count) : undefined;
  let failures = 0;
  await inWindow(count, WINDOW, async (i) => {
    const r = await client.api.create(targets.pods(ns), pod(ns, i));
    if (!r.ok && failures++ < 5) log(`create ${ns}/pod-${i}: ${r.status.message}`);
  });
  log(`${ns}: ${count} pods created in ${round((performance.now() - t0) / 1000)} s`);
  while ((bound.get(ns) ?? 0) < count && performance.now() - t0 < TIMEOUT_MS) await sleep(5);
  const s = (performance.now() - t0) / 1000;
  if ((bound.get(ns) ?? 0) < count) throw new Error(`${ns}: only ${bound.get(ns)}/${count} bound after ${round(s)} s`);
  const cpu = process.cpuUsage(cpu0);
  return { s, t0, cpuS: (cpu.user + cpu.system) / 1e6 };
}

/** Pods bound in each whole second after `t0` (upstream's throughput collector samples once a second); the partial last second is left out. */
function perSecond(times: number[], t0: number): number[] {
  const out: number[] = [];
  for (const t of times) {
    const i = Math.floor((t - t0) / 1000);
    while (out.length <= i) out.push(0);
    out[i]!++;
  }
  if (out.length > 1) out.pop();
  return out;
}

log(`initPods: ${INIT}`);
const initS = (await phase('sched-init', INIT)).s;
log(`initPods bound in ${round(initS)} s; measurePods: ${PODS}`);
// The setup (5,000 nodes, initPods, module loading) stays out of the profile.
const profiler = CPU_PROF ? new CpuProfiler() : undefined;
await profiler?.start();
const measured = await phase('sched-measure', PODS);
if (profiler) {
  await profiler.stop(CPU_PROF);
  profiler.close();
  log(`CPU profile of measurePods written to ${CPU_PROF}`);
}
// The end is when the last pod was observed bound (the poll that noticed it may come later).
const measureS = ((boundAt.at(-1) ?? performance.now()) - measured.t0) / 1000;
const samples = perSecond(boundAt, measured.t0);
const avg = PODS / measureS;
log(`measurePods: ${PODS} bound in ${round(measureS)} s = ${round(avg, 1)} pods/s (scheduler stats: ${c.scheduler.bound()} bound)`);
const peak = rss.peak();
rss.stop();
await c.stop();

console.log(
  JSON.stringify({
    bench: 'scheduler-perf',
    workload: `SchedulingBasic/${NODES}Nodes_${PODS}Pods`,
    nodes: NODES,
    init_pods: INIT,
    pods: PODS,
    init_s: round(initS),
    measure_s: round(measureS),
    scheduling_throughput_avg_per_s: round(avg, 1),
    // The whole process (apiserver, kv, scheduler, watch) during measurePods: steadier than
    // the throughput on a shared machine.
    measure_cpu_s: round(measured.cpuS),
    cpu_ms_per_pod: round((measured.cpuS * 1000) / PODS, 3),
    scheduling_throughput_p50_per_s: percentile(samples, 50),
    scheduling_throughput_p90_per_s: percentile(samples, 90),
    scheduling_throughput_p99_per_s: percentile(samples, 99),
    storage: STORAGE,
    bus: 'in-process',
    // The scheduler's client-side limiter (the bench's qps/burst): time it held requests back.
    client_qps: { scheduler: { qps: QPS, burst: BURST } },
    client_throttle: processClientStats(),
    peak_rss_bytes: peak,
    machine: { ...loadAtStart, load_avg_1m_end: machine().load_avg_1m },
    anchor: {
      upstream_threshold_per_s: THRESHOLDS[PODS] ?? null,
      thresholds_per_s: { '5000Nodes_10000Pods': 680, '5000Nodes_50000Pods': 810 },
      source: 'kubernetes/kubernetes test/integration/scheduler_perf/misc/performance-config.yaml (SchedulingBasic, CI thresholds)',
    },
  }),
);
process.exit(0);
