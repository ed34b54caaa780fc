/**
 * An idle cluster: `--nodes` sim kubelets Ready and no pods, measured for `--seconds` after
 * `--warm` seconds. What is left is the nodes' periodic work — each kubelet renews its Lease and
 * checks its node status every 10 s —, which a large density run pays beside its pods: its time
 * per pod grows with it (README, Status, issue 21). Prints the main thread's CPU over the window,
 * per second and per Lease renewal, every thread's CPU, the heap the idle cluster holds and the
 * bus messages a second. `--cpu-prof FILE` writes a CPU profile of the window's main thread.
 *
 * Usage: npm run bench -- idle [--nodes 5000] [--seconds 20] [--warm 10] [--cpu-prof FILE]
 */
import { CpuProfiler } from './_profile.ts';
import { arg, argText, heapAfterGc, machine, mainThreadCpuS, round, sleep, startBenchCluster } from './_cluster.ts';

const NODES = arg('nodes', 5000);
const SECONDS = arg('seconds', 20);
const WARM = arg('warm', 10);
const PROFILE = argText('cpu-prof', '');

const loadAtStart = machine();
const c = await startBenchCluster({ tag: 'idle', storage: 'memory', kubelets: NODES, scheduler: true, readyTimeoutMs: 600_000, controllers: 'deployment,replicaset' });
c.log(`${NODES} nodes Ready in ${c.nodesReadyS} s; ${WARM} s to settle, then ${SECONDS} s measured`);
await sleep(WARM * 1000);
const heap = heapAfterGc();
const profiler = PROFILE ? new CpuProfiler() : null;
await profiler?.start();
c.resetMessages();
const main0 = mainThreadCpuS();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await sleep(SECONDS * 1000);
const wallS = (performance.now() - t0) / 1000;
const mainS = main0 === null ? null : mainThreadCpuS()! - main0;
const cpu = process.cpuUsage(cpu0);
if (profiler) await profiler.stop(PROFILE);
// A copy: the counts go on as the cluster stops (every informer's unwatch).
const messages = new Map(c.messages());
const renewals = messages.get('api.update leases') ?? 0;
await c.stop();

console.log(
  JSON.stringify({
    bench: 'idle',
    nodes: NODES,
    window_s: round(wallS, 2),
    nodes_ready_s: c.nodesReadyS,
    heap_bytes: heap,
    heap_per_node_bytes: Math.round(heap / NODES),
    main_thread_cpu_s: mainS === null ? null : round(mainS, 2),
    main_thread_busy_ratio: mainS === null ? null : round(mainS / wallS, 3),
    cpu_s: round((cpu.user + cpu.system) / 1e6, 2),
    lease_renewals_per_s: round(renewals / wallS, 1),
    main_thread_cpu_per_renewal_ms: mainS === null || renewals === 0 ? null : round((mainS * 1000) / renewals, 3),
    messages_per_s: Object.fromEntries([...messages].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => [k, round(v / wallS, 1)])),
    machine: { ...loadAtStart, load_avg_1m_end: machine().load_avg_1m },
    anchor: {
      kubelet_lease_renew_interval_s: 10,
      node_status_update_frequency_s: 10,
      note: "Kubernetes: a kubelet renews its Lease every 10 s (a quarter of nodeLeaseDurationSeconds 40) and checks its node status every 10 s (nodeStatusUpdateFrequency): 500 Lease updates a second at 5,000 nodes. Upstream publishes no idle figure; kube-apiserver's own CPU at 5,000 nodes is measured only under load.",
      source: 'kubernetes.io/docs/concepts/architecture/nodes/#node-heartbeats',
    },
  }),
);
process.exit(0);
