/**
 * The KWOK CI gates (kubernetes-sigs/kwok .github/workflows/test.yaml, "Test Benchmark"):
 * 5,000 fake nodes Ready within 60 s, then 10,000 pods Running within 60 s. Here the nodes
 * are sim kubelets (each registers its Node, renews its Lease, watches its pods, runs one
 * pod actor per pod and reports status), the pods are created through api.create as a
 * client would, scheduled by the scheduler actor when it exists (else bound by this bench
 * through pods/binding, round-robin), and Running is observed by a watch on pods.
 * Real clock, in-process bus. Wall time is what is measured.
 *
 * Usage: npm run bench -- kwok [--nodes 5000] [--pods 10000] [--storage memory|lmdb] [--window 500] [--cpu-prof-dir DIR] [--max-requests-inflight 400] [--max-mutating-requests-inflight 200]
 * Prints progress on stderr and one JSON line last on stdout, with API Priority and Fairness's
 * figures per priority level (dispatched, rejected with 429, queue wait p99) and the error
 * replies by code. `--cpu-prof-dir DIR` writes two V8 CPU profiles of the main thread there:
 * `kwok-<pid>-nodes.cpuprofile` (control plane start to every node Ready) and
 * `kwok-<pid>-pods.cpuprofile` (first create to every pod Running).
 */
import { machine, topMessages, arg, argText, storageArg, inWindow, progress, round, rssSampler, startBenchCluster, within } from './_cluster.ts';
import { targets } from '../actors/client/index.ts';
import { FlowControl } from '../actors/apiserver/flowcontrol/controller.ts';
import { flowFigures } from './_overload.ts';
import { CpuProfiler } from './_profile.ts';

const NODES = arg('nodes', 5000);
const PODS = arg('pods', 10_000);
const WINDOW = arg('window', 500);
const STORAGE = storageArg();
const TIMEOUT_MS = arg('timeout-s', 600) * 1000;
const PROF_DIR = argText('cpu-prof-dir', '');

const loadAtStart = machine();
const rss = rssSampler();
// kube-apiserver's flags (defaults 400 and 200): their sum is the seats API Priority and Fairness shares out.
const flowControl = new FlowControl({ serverConcurrencyLimit: arg('max-requests-inflight', 400) + arg('max-mutating-requests-inflight', 200) });
const profiler = PROF_DIR ? new CpuProfiler() : null;
await profiler?.start();
const c = await startBenchCluster({ tag: 'kwok', storage: STORAGE, kubelets: NODES, scheduler: true, readyTimeoutMs: TIMEOUT_MS, flowControl });
await profiler?.stop(`${PROF_DIR}/kwok-${process.pid}-nodes.cpuprofile`);
const nodesFailed = new Map(c.failedReplies());
const nodesFlow = flowFigures(flowControl);
const nodesMsgs = c.messages();
c.log(`nodes phase: bus messages per node ${Math.round([...nodesMsgs.values()].reduce((a, b) => a + b, 0) / NODES)}; by kind: ${topMessages(nodesMsgs, NODES, 16)}`);
const { client, log } = c;
const nodesReadyS = c.nodesReadyS;

const running = new Set<string>();
const report = progress(log, 'pods Running', PODS);
let resolveAll!: () => void;
const allRunning = new Promise<void>((r) => (resolveAll = r));
await client.watch(targets.pods(), (events) => {
  for (const ev of events) {
    if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
    const name = ev.object.metadata?.name ?? '';
    if (ev.type !== 'DELETED' && (ev.object.status as { phase?: string } | undefined)?.phase === 'Running') running.add(name);
  }
  rss.poke();
  report(running.size);
  if (running.size >= PODS) resolveAll();
});

const pod = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: 'kwok-bench' } },
  spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
});

const bind = c.scheduler.kind !== 'actor';
c.resetMessages();
await profiler?.start();
log(`creating ${PODS} pods (${bind ? 'bound by the bench round-robin' : 'scheduled by the scheduler actor'}), ${WINDOW} in flight`);
const t0 = performance.now();
let failures = 0;
const createAll = inWindow(PODS, WINDOW, async (i) => {
  const r = await client.api.create(targets.pods('default'), pod(i));
  if (!r.ok) {
    if (failures++ < 5) log(`create pod-${i}: ${r.status.message}`);
    return;
  }
  if (!bind) return;
  const node = c.nodeNames[i % c.nodeNames.length]!;
  const b = await client.api.create(targets.pods('default', `pod-${i}`, 'binding'), {
    apiVersion: 'v1', kind: 'Binding', metadata: { name: `pod-${i}` }, target: { apiVersion: 'v1', kind: 'Node', name: node },
  });
  if (!b.ok && failures++ < 5) log(`bind pod-${i}: ${b.status.message}`);
});
await createAll;
const createdS = round((performance.now() - t0) / 1000);
log(`${PODS} pods created${bind ? ' and bound' : ''} in ${createdS} s`);
const r = await within(allRunning, TIMEOUT_MS);
const podsRunningS = round((performance.now() - t0) / 1000);
if (r !== 'ok') log(`TIMEOUT: only ${running.size}/${PODS} pods Running after ${podsRunningS} s`);
else log(`${PODS} pods Running in ${podsRunningS} s`);
await profiler?.stop(`${PROF_DIR}/kwok-${process.pid}-pods.cpuprofile`);
profiler?.close();
if (PROF_DIR) log(`CPU profiles written to ${PROF_DIR}`);
// Copies: stopping the cluster answers its components' last requests 503, which are not the run's.
const failed = new Map(c.failedReplies());
const flow = flowFigures(flowControl);
log(`nodes phase: error replies by code ${JSON.stringify(Object.fromEntries(nodesFailed))}; APF ${JSON.stringify(nodesFlow)}`);
log(`pods phase: error replies by code ${JSON.stringify(Object.fromEntries(failed))}; APF (whole run) ${JSON.stringify(flow)}`);
const msgs = c.messages();
const msgTotal = [...msgs.values()].reduce((a, b) => a + b, 0);
log(`bus messages per pod: ${Math.round(msgTotal / PODS)}; by kind: ${topMessages(msgs, PODS)}`);
const peak = rss.peak();
rss.stop();
await c.stop();

console.log(
  JSON.stringify({
    bench: 'kwok',
    nodes: NODES,
    nodes_ready_s: nodesReadyS,
    pods: PODS,
    pods_created_s: createdS,
    pods_running_s: r === 'ok' ? podsRunningS : null,
    pods_running_at_end: running.size,
    create_failures: failures,
    scheduler: bind ? 'bench-binding' : 'actor',
    storage: STORAGE,
    bus: 'in-process',
    clock: 'real',
    bus_messages_per_pod: Math.round(msgTotal / PODS),
    nodes_phase_error_replies: Object.fromEntries(nodesFailed),
    pods_phase_error_replies: Object.fromEntries(failed),
    apf: flow,
    peak_rss_bytes: peak,
    machine: { ...loadAtStart, load_avg_1m_end: machine().load_avg_1m },
    anchor: {
      kwok_gate_nodes_ready_s: 60,
      kwok_gate_pods_running_s: 60,
      source: 'kwok CI benchmark (kubernetes-sigs/kwok .github/workflows/test.yaml)',
    },
  }),
);
process.exit(0);
