/**
 * Density (Kubernetes' density / ClusterLoader2 load test, shrunk to one machine): N sim
 * nodes, M pods as Deployments of `--replicas` (the Deployment and ReplicaSet controllers
 * create ReplicaSets and pods), scheduled by the scheduler actor, run by the kubelets.
 * Measures the time until all are Running; pod startup latency (creation — the create call
 * with `--workload pods`, the watch's first sight of the controller's pod otherwise — to
 * Running observed by a watch; SLO p99 <= 5 s); the latency of every component's mutating
 * API calls, request delivery to reply delivery (SLO p99 <= 1 s); peak RSS and heap per pod.
 * With `--workload pods` (or without the controllers) the pods are created directly through
 * the API in Deployment-sized batches and the JSON says `"workload":"pods"`.
 *
 * With `--record FILE` the cluster records every message, timer firing and actor start into
 * FILE, as `kubeactor up --record` does; the JSON then says `"record":true` and gives the
 * log's size (`record_bytes`, `record_entries`, and per pod over the pod phase).
 *
 * With `--compare-record [--rounds N]` the bench runs plain and recording to a temporary
 * file (deleted after), each run in its own child process (so heap and JIT state do not
 * mix), N rounds (default 1) in alternating order. It prints one JSON line,
 * `"bench":"density-record"`, with both sides' figures (medians over the rounds) and the
 * overhead ratios recorded / plain; `pods_phase_cpu_s` is the ratio to trust on a machine
 * shared with other work, wall time and latencies move with the neighbours. Kubernetes has
 * no message recorder; the anchor names the nearest thing, apiserver audit logging, whose
 * overhead upstream does not state.
 *
 * With `--audit-log FILE` the apiserver audits every request at level Metadata into FILE
 * (the JSON says `"audit":true` and gives `audit_log_bytes`); `--compare-audit [--rounds N]`
 * runs plain — without authorization (`--authorization-mode AlwaysAllow`, unless the
 * command line names a mode) and without audit — and guarded — authorization as configured
 * (Node,RBAC by default) and audit at Metadata to a temporary file — as --compare-record
 * does, and prints `"bench":"density-audit"` with the mutating-call p99 and throughput ratios
 * guarded / plain (issue 17's goal: authorization and audit together within 5%).
 * `--audit-policy-file FILE` audits by that policy instead of every request at Metadata.
 *
 * With `--scale-from N` it runs the shape at N nodes (pods scaled to keep pods per node) and
 * then at `--nodes`, each in a child process, and prints `"bench":"density-scale"`: both runs
 * and how the time to all Running grew against the pod count (issue 21's linearity check).
 *
 * Every run prints what overload leaves behind: replies refused 429 (`replies_429`) and 5xx,
 * API Priority and Fairness per priority level (dispatched, rejected, queue wait p99), the
 * longest gap between two renewals of a node's Lease and how many renewals came after the
 * Lease expired (`leases_expired`: nodes the node-lifecycle controller would mark NotReady),
 * and `acknowledged_writes_lost` (acknowledged creates missing from the store at the end).
 *
 * Usage: npm run bench -- density [--nodes 1000] [--pods 30000] [--replicas 100] [--workload deployments|pods] [--window 200] [--qps 0] [--storage memory|lmdb|etcd://HOST:PORT] [--kubelet-events false] [--workers 0] [--authorization-mode Node,RBAC|AlwaysAllow] [--heap-snapshot FILE] [--record FILE | --compare-record [--rounds 1]] [--audit-log FILE | --compare-audit [--rounds 1]] [--audit-policy-file FILE] [--cpu-prof-dir DIR [--cpu-prof-every 0] [--alloc-prof]] [--scale-from 2000]
 *   (--nodes 5000 --pods 150000 for the large shape; e.g. --nodes 100 --pods 3000 --compare-record
 *   for the recording overhead in a few minutes).
 * `--cpu-prof-dir DIR` writes V8 CPU profiles of the main thread's pods phase there, one per
 * `--cpu-prof-every N` pods Running (0: one for the whole phase), named
 * `density-<pid>-<from>-<to>.cpuprofile`: what grows late in a long run is the difference between its
 * first and last profile; `--alloc-prof` adds each window's allocations, garbage included
 * (`.heapprofile`: what keeps the young-generation collector busy). With `--compare-*` or `--scale-from` each child writes into a
 * directory of its own (DIR/plain/ and DIR/audited/ or DIR/recorded/; DIR/small/, DIR/large/).
 * Worker threads (`--workers`) are not profiled: run node with `--cpu-prof` for those.
 *
 * With `--workers N` the kubelets (their pods and sim runtime) run in N worker threads beside
 * the control plane, as `kubeactor up --workers N` runs them; the JSON says `workers` (0: one
 * thread). `pods_phase_cpu_s` counts every thread (`pods_phase_main_thread_cpu_s` the main one's
 * part, from /proc on Linux); the bus counts and latencies are the main
 * thread's view (messages between a kubelet and its pods stay in their worker and are not
 * counted; a kubelet's call is timed from its delivery to the apiserver to the reply leaving
 * the main thread), and `heap_per_pod_bytes` is the main thread's heap only.
 *
 * Prints progress on stderr and one JSON line last on stdout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { machine, mainThreadCpuS, topMessages, arg, argText, benchClientLimits, benchLimitsFrom, heapAfterGc, storageArg, inWindow, percentile, progress, round, rssSampler, sleep, startBenchCluster } from './_cluster.ts';
import { processClientStats, targets, type Target } from '../actors/client/index.ts';
import { parseAuthorizationModes } from '../actors/apiserver/authorizer.ts';
import { Auditor, auditLog } from '../actors/apiserver/audit/auditor.ts';
import { parsePolicy } from '../api/audit/policy.ts';
import { FlowControl } from '../actors/apiserver/flowcontrol/controller.ts';
import { flowFigures, lostWrites, watchLeases } from './_overload.ts';
import { profileWindows } from './_profile.ts';

/** The audited side's policy by default: every request at Metadata. */
const METADATA_POLICY = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n';
/** `--audit-policy-file FILE`: the audit policy instead (kube-apiserver's flag). */
const AUDIT_POLICY_FILE = argText('audit-policy-file', '');

/** Records the run into this file (empty: no recording). */
const RECORD = argText('record', '');
/** Audits every request at Metadata into this file (empty: no audit). */
const AUDIT_LOG = argText('audit-log', '');
if (process.argv.includes('--compare-record')) {
  if (RECORD) throw new Error('--compare-record records to a temporary file of its own; drop --record');
  await compareRecord('record');
  process.exit(0);
}
if (process.argv.includes('--compare-audit')) {
  if (AUDIT_LOG) throw new Error('--compare-audit audits to a temporary file of its own; drop --audit-log');
  await compareRecord('audit');
  process.exit(0);
}

if (process.argv.includes('--scale-from')) {
  await compareScale();
  process.exit(0);
}

const NODES = arg('nodes', 1000);
const PODS = arg('pods', 30_000);
const REPLICAS = arg('replicas', 100);
const WINDOW = arg('window', 200);
/** Pod creations per second (0: as fast as the window allows, i.e. saturation: startup latency then includes queueing). */
const QPS = arg('qps', 0);
const STORAGE = storageArg();
const TIMEOUT_MS = arg('timeout-s', 1200) * 1000;
const NS = 'density';
/** deployments (default when the Deployment and ReplicaSet controllers exist) or pods (created directly, in Deployment-sized batches). */
const WANT = argText('workload', 'deployments');
/** Writes a heap snapshot here once all pods run (for finding what holds memory per pod). */
const SNAPSHOT = argText('heap-snapshot', '');
/** kube-apiserver's --authorization-mode (default Node,RBAC; AlwaysAllow measures the cost of authorization). */
const AUTHZ = argText('authorization-mode', '');
/** `--kubelet-events false`: the kubelets record no Events, as `up --kubelet-events=false`. */
const KUBELET_EVENTS = argText('kubelet-events', 'true') !== 'false';
/** `--workers N`: the kubelets in N worker threads (0: everything on the main thread). */
const WORKERS = arg('workers', 0);
/** `--kube-api-qps` / `--kube-api-burst` as `up` takes them (COMPONENT=N); over the bench's limits (BENCH_CLIENT_LIMITS). */
const CLIENT_LIMITS = benchLimitsFrom(argText('kube-api-qps', ''), argText('kube-api-burst', ''));
/** `--cpu-prof-dir DIR`: CPU profiles of the pods phase, one per `--cpu-prof-every N` pods Running (0: one). */
const PROF_DIR = argText('cpu-prof-dir', '');
const PROF_EVERY = arg('cpu-prof-every', 0);
/** `--alloc-prof`: each window's allocations too (.heapprofile beside the .cpuprofile, garbage included). */
const ALLOC_PROF = process.argv.includes('--alloc-prof');


const loadAtStart = machine();
const rss = rssSampler();
const flowControl = new FlowControl();
const c = await startBenchCluster({
  flowControl,
  tag: 'density', storage: STORAGE, kubelets: NODES, scheduler: true, readyTimeoutMs: TIMEOUT_MS,
  ...(WANT === 'deployments' ? { controllers: 'deployment,replicaset' } : {}), ...(RECORD ? { record: RECORD } : {}),
  ...(AUTHZ ? { authorizationModes: parseAuthorizationModes(AUTHZ) } : {}),
  ...(KUBELET_EVENTS ? {} : { kubeletEvents: false }),
  ...(WORKERS > 0 ? { workers: WORKERS } : {}),
  clientLimits: CLIENT_LIMITS,
  ...(AUDIT_LOG ? { audit: new Auditor(parsePolicy(AUDIT_POLICY_FILE ? readFileSync(AUDIT_POLICY_FILE, 'utf8') : METADATA_POLICY), auditLog({ path: AUDIT_LOG })) } : {}),
});
const { client, log } = c;
const bind = c.scheduler.kind !== 'actor';
const controllers = c.controllers;
const workload: 'deployments' | 'pods' = controllers?.names.includes('deployment') && controllers.names.includes('replicaset') ? 'deployments' : 'pods';
if (workload === 'deployments' && bind) throw new Error('deployments need the scheduler actor');
const r0 = await client.api.create(targets.namespaces(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
if (!r0.ok) throw new Error(`namespace: ${r0.status.message}`);
await c.namespaceReady(NS);

const heapBefore = heapAfterGc();
c.resetMessages();
c.recorder?.flush();
/** The log's size when the pods phase starts (nodes, controllers and scheduler are up). */
const record0 = c.recorder ? { bytes: c.recorder.bytes, entries: c.recorder.count } : null;
const createdAt = new Map<string, number>();
const seenPods = new Set<string>();
const startup: number[] = [];
let running = 0;
/** When the last pod was observed Running (the loop that waits for it polls on timers, which a busy bus can starve). */
let lastRunningAt = 0;
/**
 * When 10 % and then 90 % of the pods were Running, and how many mutating calls had been answered
 * by then: the throughput between them leaves out the ramp and the tail, where one pod's retry
 * after a back-off decides when the last pod runs.
 */
const steady: { at: number; calls: number }[] = [];
const report = progress(log, 'pods Running', PODS);
const profiles = PROF_DIR ? profileWindows(PROF_DIR, `density-${process.pid}`, PROF_EVERY, { allocations: ALLOC_PROF }) : null;
await client.watch(targets.pods(NS), (events) => {
  const now = performance.now();
  for (const ev of events) {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
    const name = ev.object.metadata?.name ?? '';
    // A controller's pod: its creation is when the watch first sees it (milliseconds after the write).
    if (workload === 'deployments' && ev.type === 'ADDED' && !createdAt.has(name) && !seenPods.has(name)) createdAt.set(name, now);
    seenPods.add(name);
    if ((ev.object.status as { phase?: string } | undefined)?.phase !== 'Running') continue;
    const at = createdAt.get(name);
    if (at === undefined) continue;
    createdAt.delete(name);
    startup.push(now - at);
    running++;
    lastRunningAt = now;
    if (steady.length < 2 && running >= (steady.length === 0 ? 0.1 : 0.9) * PODS) steady.push({ at: now, calls: c.mutatingLatencies().length });
  }
  rss.poke();
  report(running);
  profiles?.tick(running);
});

const leases = await watchLeases(c.client);

const DEPLOYMENTS = Math.ceil(PODS / REPLICAS);
const deployment = (d: number, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `dep-${d}`, namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: `dep-${d}` } },
    template: {
      metadata: { labels: { app: `dep-${d}` } },
      spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
    },
  },
});
const pod = (d: number, i: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `dep-${d}-${i}`, namespace: NS, labels: { app: `dep-${d}`, 'pod-template-hash': `h${d}` } },
  spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
});

log(`creating ${PODS} pods as ${DEPLOYMENTS} ${workload === 'deployments' ? 'Deployments' : 'batches (no Deployment controller: workload "pods")'} of ${REPLICAS}, ${WINDOW} calls in flight${QPS ? `, ${QPS} creates/s` : ''}${bind ? ', bound by the bench' : ''}`);
const mutating: number[] = [];
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const mainCpu0 = mainThreadCpuS();
const elu0 = performance.eventLoopUtilization();
const gc = gcWatch();
let failures = 0;
/** Names of the objects the bench's creates were acknowledged for (each must still exist at the end). */
const acknowledged: string[] = [];
const call = async <T>(target: Target<T>, object: Parameters<typeof client.api.create<T>>[1]) => {
  const s = performance.now();
  const r = await client.api.create(target, object);
  mutating.push(performance.now() - s);
  return r;
};
if (workload === 'deployments') {
  await inWindow(DEPLOYMENTS, Math.min(WINDOW, DEPLOYMENTS), async (d) => {
    if (QPS > 0) {
      const wait = t0 + ((d * REPLICAS) / QPS) * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const r = await call(targets.deployments(NS), deployment(d, Math.min(REPLICAS, PODS - d * REPLICAS)));
    if (r.ok) acknowledged.push(`dep-${d}`);
    else if (failures++ < 5) log(`create deployment dep-${d}: ${r.status.message}`);
  });
}
for (let d = 0; workload === 'pods' && d < DEPLOYMENTS; d++) {
  const n = Math.min(REPLICAS, PODS - d * REPLICAS);
  await inWindow(n, Math.min(WINDOW, n), async (i) => {
    const name = `dep-${d}-${i}`;
    if (QPS > 0) {
      const due = t0 + ((d * REPLICAS + i) / QPS) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    createdAt.set(name, performance.now());
    const r = await call(targets.pods(NS), pod(d, i));
    if (r.ok) acknowledged.push(name);
    if (!r.ok) {
      createdAt.delete(name);
      if (failures++ < 5) log(`create ${name}: ${r.status.message}`);
      return;
    }
    if (!bind) return;
    const node = c.nodeNames[(d * REPLICAS + i) % c.nodeNames.length]!;
    const b = await call(targets.pods(NS, name, 'binding'), { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
    if (!b.ok && failures++ < 5) log(`bind ${name}: ${b.status.message}`);
  });
}
const createdS = round((performance.now() - t0) / 1000);
log(`${workload === 'deployments' ? `${DEPLOYMENTS} Deployments` : `${PODS} pods`} created in ${createdS} s`);
const done0 = (): boolean => running >= PODS - failures;
while (!done0() && performance.now() - t0 < TIMEOUT_MS) await sleep(20);
const allRunningS = round(((done0() ? lastRunningAt : performance.now()) - t0) / 1000);
const cpu1 = process.cpuUsage(cpu0);
const mainCpu1 = mainThreadCpuS();
const elu1 = performance.eventLoopUtilization(elu0);
const gcFigures = gc.stop();
/** CPU seconds this process spent in the pod phase: less sensitive than wall time to other processes on the machine. */
const podsCpuS = round((cpu1.user + cpu1.system) / 1e6);
if (profiles) {
  await profiles.stop(running);
  log(`CPU profiles of the pods phase written to ${PROF_DIR}`);
}
const done = done0();
log(done ? `${running} pods Running in ${allRunningS} s` : `TIMEOUT: ${running}/${PODS} Running after ${allRunningS} s`);
const leaseFigures = leases.stop();
log(`leases: longest time between two renewals of one node's Lease ${leaseFigures.lease_renew_gap_max_s} s; ${leaseFigures.leases_expired} renewals came after the Lease had expired`);
const lost = await lostWrites(c.client, workload === 'deployments' ? targets.deployments(NS) : targets.pods(NS), acknowledged);
if (lost > 0) log(`LOST: ${lost} acknowledged creates are not in the store`);
// A copy: stopping the cluster below answers its components' last requests 503 ("shutting down"), which are not the run's.
const failed = new Map(c.failedReplies());
const flow = flowFigures(flowControl);
log(`error replies by code: ${JSON.stringify(Object.fromEntries(failed))}; APF: ${JSON.stringify(flow)}`);
const heapAfter = heapAfterGc();
if (SNAPSHOT) log(`heap snapshot: ${writeHeapSnapshot(SNAPSHOT)}`);
const msgs = c.messages();
const msgTotal = [...msgs.values()].reduce((a, b) => a + b, 0);
log(`bus messages per pod: ${Math.round(msgTotal / PODS)}; by kind: ${topMessages(msgs, PODS)}`);
const apiLat = c.mutatingLatencies();
const peak = rss.peak();
rss.stop();
let record: Record<string, number> | null = null;
if (c.recorder && record0) {
  const t = performance.now();
  await c.recorder.stop();
  record = {
    record_bytes: c.recorder.bytes,
    record_entries: c.recorder.count,
    record_bytes_per_pod: Math.round((c.recorder.bytes - record0.bytes) / PODS),
    record_entries_per_pod: round((c.recorder.count - record0.entries) / PODS, 1),
    record_close_ms: round(performance.now() - t, 1),
  };
  log(`recorded ${record.record_entries} entries, ${record.record_bytes} bytes (${record.record_bytes_per_pod} bytes, ${record.record_entries_per_pod} entries per pod in the pod phase) to ${RECORD}`);
}
await c.stop();

console.log(
  JSON.stringify({
    bench: 'density',
    nodes: NODES,
    pods: PODS,
    workload,
    kubelet_events: KUBELET_EVENTS,
    batch_replicas: REPLICAS,
    scheduler: bind ? 'bench-binding' : 'actor',
    storage: STORAGE,
    bus: WORKERS > 0 ? 'workers' : 'in-process',
    workers: WORKERS,
    client_qps: benchClientLimits(CLIENT_LIMITS),
    // Requests that waited for a token, their total wait, and retries after a 429/5xx with Retry-After (main thread's components).
    client_throttle: processClientStats(),
    authorization_mode: AUTHZ || 'Node,RBAC',
    record: record !== null,
    ...(record ?? {}),
    audit: AUDIT_LOG !== '',
    ...(AUDIT_LOG ? { audit_log_bytes: statSync(AUDIT_LOG).size } : {}),
    create_window: WINDOW,
    create_qps: QPS,
    nodes_ready_s: c.nodesReadyS,
    pods_created_s: createdS,
    all_running_s: done ? allRunningS : null,
    pods_phase_cpu_s: podsCpuS,
    // The event loop's part of it (the rest: V8's collector threads, the audit's writer thread).
    pods_phase_main_thread_cpu_s: mainCpu0 === null || mainCpu1 === null ? null : round(mainCpu1 - mainCpu0),
    // The part of the pod phase the event loop was not waiting for work (GC pauses count as busy,
    // so busy time above the main thread's CPU is time the thread waited inside V8, for its
    // collector's helpers, or for a core).
    pods_phase_event_loop_busy_s: round(elu1.active / 1000),
    ...gcFigures,
    pods_running_at_end: running,
    create_failures: failures,
    pod_startup_p50_ms: round(percentile(startup, 50), 1),
    pod_startup_p99_ms: round(percentile(startup, 99), 1),
    api_mutating_calls: apiLat.length,
    api_mutating_p50_ms: round(percentile(apiLat, 50), 1),
    api_mutating_p99_ms: round(percentile(apiLat, 99), 1),
    api_mutating_per_s: round(apiLat.length / Math.max(0.001, allRunningS), 1),
    api_mutating_steady_per_s: steady.length === 2 ? round((steady[1]!.calls - steady[0]!.calls) / Math.max(0.001, (steady[1]!.at - steady[0]!.at) / 1000), 1) : null,
    acknowledged_writes_lost: lost,
    ...leaseFigures,
    replies_429: failed.get(429) ?? 0,
    replies_5xx: [...failed].reduce((a, [code, n]) => a + (code >= 500 ? n : 0), 0),
    flowcontrol: flow,
    bench_create_calls: mutating.length,
    bench_create_p99_ms: round(percentile(mutating, 99), 1),
    bus_messages_per_pod: Math.round(msgTotal / PODS),
    peak_rss_bytes: peak,
    machine: { ...loadAtStart, load_avg_1m_end: machine().load_avg_1m },
    heap_per_pod_bytes: Math.round((heapAfter - heapBefore) / Math.max(1, running)),
    anchor: {
      pod_startup_p99_slo_ms: 5000,
      api_mutating_p99_slo_ms: 1000,
      source: 'Kubernetes scalability SLOs (kubernetes/community sig-scalability/slos: pod_startup_latency.md, api_call_latency.md)',
    },
  }),
);
process.exit(0);


/**
 * The main thread's garbage collection in the pods phase: pauses in ms (scavenges, mark-compacts)
 * and their counts (scavenges × the young generation's size is about what was allocated) —
 * where an overhead that allocates (audit records, their lines) shows up beside its own CPU.
 */
function gcWatch(): { stop(): { gc_ms: number; gc_scavenge_ms: number; gc_scavenges: number; gc_major_ms: number; gc_majors: number } } {
  let scavenge = 0;
  let scavenges = 0;
  let major = 0;
  let majors = 0;
  let other = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) (scavenge += e.duration), scavenges++;
      else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) (major += e.duration), majors++;
      else other += e.duration;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      obs.disconnect();
      return { gc_ms: round(scavenge + major + other, 0), gc_scavenge_ms: round(scavenge, 0), gc_scavenges: scavenges, gc_major_ms: round(major + other, 0), gc_majors: majors };
    },
  };
}

/**
 * Runs this bench in a child process with `args`; resolves with its last stdout line, parsed.
 * `side` names the child's directory under `--cpu-prof-dir` (its profiles do not mix with the other side's).
 */
function child(args: string[], side: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const prof = argText('cpu-prof-dir', '');
    const own = args.filter((a, i) => a !== '--cpu-prof-dir' && args[i - 1] !== '--cpu-prof-dir');
    const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...own, ...(prof ? ['--cpu-prof-dir', join(prof, side)] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`density child exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch {
        reject(new Error(`density child printed no JSON line: ${last.slice(0, 200)}`));
      }
    });
  });
}

/**
 * `--scale-from N`: the same shape at N nodes (the pods scaled with them, so pods per node stay
 * the same) and then at `--nodes`, each in its own child process; prints `"bench":"density-scale"`
 * with both runs and how the time to all Running grew against the pod count (issue 21: no worse
 * than linearly, i.e. `time_per_pod_ratio` <= 1).
 */
async function compareScale(): Promise<void> {
  const small = arg('scale-from', 2000);
  const nodes = arg('nodes', 1000);
  const pods = arg('pods', 30_000);
  const args: string[] = [];
  for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i]!;
    if (a === '--scale-from' || a === '--nodes' || a === '--pods') i++;
    else args.push(a);
  }
  const smallPods = Math.round((pods * small) / nodes);
  process.stderr.write(`bench density-scale: ${small} nodes × ${smallPods} pods, then ${nodes} nodes × ${pods} pods\n`);
  const a = await child([...args, '--nodes', String(small), '--pods', String(smallPods)], 'small');
  const b = await child([...args, '--nodes', String(nodes), '--pods', String(pods)], 'large');
  const perPod = (j: Record<string, unknown>) => (typeof j.all_running_s === 'number' ? j.all_running_s / (j.pods as number) : null);
  const pa = perPod(a);
  const pb = perPod(b);
  console.log(JSON.stringify({
    bench: 'density-scale',
    small: a,
    large: b,
    pods_ratio: round(pods / smallPods, 2),
    all_running_ratio: pa !== null && pb !== null ? round((b.all_running_s as number) / (a.all_running_s as number), 2) : null,
    time_per_pod_ratio: pa !== null && pb !== null ? round(pb / pa, 2) : null,
    machine: machine(),
    anchor: {
      goal: 'issue 21: the time to all Running grows no worse than linearly with the pod count (time_per_pod_ratio <= 1); both runs complete with no acknowledged write lost and no Lease expired',
      source: 'Kubernetes scalability thresholds: 5,000 nodes, 150,000 pods (kubernetes/community sig-scalability/configs-and-limits/thresholds.md)',
    },
  }));
}

/**
 * The geometric mean of paired per-round ratios and its 90 % confidence interval (Student's t
 * over their logarithms; null below three rounds). The two runs of a round share the machine's
 * state of the moment, so their ratio cancels much of what the neighbours did to both, and the
 * interval says whether the rounds could tell a 5 % difference at all.
 */
function pairedRatio(ratios: (number | null)[]): { geomean: number | null; ci90: [number, number] | null } {
  const logs = ratios.filter((r): r is number => typeof r === 'number' && r > 0).map(Math.log);
  const n = logs.length;
  if (n === 0) return { geomean: null, ci90: null };
  const mean = logs.reduce((a, b) => a + b, 0) / n;
  if (n < 3) return { geomean: round(Math.exp(mean), 3), ci90: null };
  const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  // t(0.95, n - 1) by the Cornish-Fisher expansion around z = 1.645 (within 1 % of the table from five rounds on, 5 % low at three).
  const z = 1.6449;
  const df = n - 1;
  const t = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
  const half = (t * sd) / Math.sqrt(n);
  return { geomean: round(Math.exp(mean), 3), ci90: [round(Math.exp(mean - half), 3), round(Math.exp(mean + half), 3)] };
}

/** The median of the numbers among `xs` (null when there are none). */
function median(xs: unknown[]): number | null {
  const s = xs.filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return round(s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2, 3);
}

/**
 * `--compare-record [--rounds N]`: N rounds of one plain and one recorded run, each in its
 * own child process, the order alternating (plain first in odd rounds) so warm-up and
 * neighbours weigh on both sides. Figures are medians over the rounds; the ratios are
 * recorded / plain of the medians, and per round.
 */
async function compareRecord(mode: 'record' | 'audit'): Promise<void> {
  // Inside: this runs before the module's later constants are initialised.
  const COMPARED = ['nodes_ready_s', 'pods_created_s', 'all_running_s', 'pods_phase_cpu_s', 'pods_phase_main_thread_cpu_s', 'gc_ms', 'gc_scavenge_ms', 'gc_scavenges', 'gc_major_ms', 'gc_majors', 'pod_startup_p50_ms', 'pod_startup_p99_ms', 'api_mutating_p99_ms', 'api_mutating_per_s', 'api_mutating_steady_per_s', 'bus_messages_per_pod', 'peak_rss_bytes', 'heap_per_pod_bytes'];
  const RECORD_FIGURES = mode === 'record' ? ['record_bytes', 'record_entries', 'record_bytes_per_pod', 'record_entries_per_pod', 'record_close_ms'] : ['audit_log_bytes'];
  const rounds = Math.max(1, arg('rounds', 1));
  const log = (s: string) => process.stderr.write(`bench density-${mode}: ${s}\n`);
  const args: string[] = [];
  for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i]!;
    if (a === `--compare-${mode}`) continue;
    if (a === '--rounds') i++;
    else args.push(a);
  }
  const dir = mkdtempSync(join(tmpdir(), `kubeactor-bench-${mode}-`));
  const file = join(dir, mode === 'record' ? 'density.log' : 'audit.log');
  const loadAtStart = machine();
  const plain: Record<string, unknown>[] = [];
  const recorded: Record<string, unknown>[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const rec of r % 2 === 0 ? [false, true] : [true, false]) {
        log(`round ${r + 1}/${rounds}: ${rec ? `${mode === 'record' ? 'recording' : 'auditing at Metadata'} to ${file}` : 'plain'}`);
        // Each recorded run starts from no file: the audit log appends, so its size would add up over the rounds.
        rmSync(file, { force: true });
        if (rec) recorded.push(await child([...args, mode === 'record' ? '--record' : '--audit-log', file], mode === 'record' ? 'recorded' : 'audited'));
        // The audit comparison is issue 17's: authorization and audit together against neither.
        else plain.push(await child(mode === 'audit' && !args.includes('--authorization-mode') ? [...args, '--authorization-mode', 'AlwaysAllow'] : args, 'plain'));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (runs: Record<string, unknown>[], keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, median(runs.map((j) => j[k]))]));
  const p = med(plain, COMPARED);
  const rc = { ...med(recorded, COMPARED), ...med(recorded, RECORD_FIGURES) };
  const div = (b: unknown, a: unknown): number | null => (typeof a === 'number' && typeof b === 'number' && a > 0 ? round(b / a, 2) : null);
  const ratio = (k: string) => div(rc[k], p[k]);
  const each = (k: string) => plain.map((j, r) => div(recorded[r]![k], j[k]));
  const first = plain[0]!;
  if (mode === 'audit') {
    console.log(JSON.stringify({
      bench: 'density-audit',
      nodes: first.nodes,
      pods: first.pods,
      workload: first.workload,
      storage: first.storage,
      rounds,
      method: 'each run in its own child process; order alternates by round (plain first in round 1); figures are medians over the rounds; plain: --authorization-mode AlwaysAllow (unless given) and no audit; audited: authorization as configured (Node,RBAC by default) and every request audited at level Metadata to a file',
      plain: p,
      audited: rc,
      ratio_api_mutating_p99: ratio('api_mutating_p99_ms'),
      ratio_api_mutating_throughput: ratio('api_mutating_per_s'),
      ratio_api_mutating_steady_throughput: ratio('api_mutating_steady_per_s'),
      ratio_all_running: ratio('all_running_s'),
      ratio_pods_phase_cpu: ratio('pods_phase_cpu_s'),
      ratios_by_round: { api_mutating_p99: each('api_mutating_p99_ms'), api_mutating_throughput: each('api_mutating_per_s'), api_mutating_steady_throughput: each('api_mutating_steady_per_s') },
      paired: Object.fromEntries(['api_mutating_p99_ms', 'api_mutating_per_s', 'api_mutating_steady_per_s', 'pods_phase_cpu_s', 'pods_phase_main_thread_cpu_s'].map((k) => [k, pairedRatio(each(k))])),
      machine: { ...loadAtStart, load_avg_1m_end: machine().load_avg_1m },
      anchor: {
        goal: 'issue 17: authorization and audit at Metadata cost <= 5% of the mutating-call p99 and throughput (p99 ratio <= 1.05, throughput ratio >= 0.95)',
        reading: '`paired` gives the geometric mean of the per-round ratios and its 90% interval: the goal is shown met when the interval of the p99 ratio ends at or below 1.05 and that of the throughput starts at or above 0.95, shown missed when an interval lies wholly beyond, and otherwise the rounds were too few to tell. Throughput needs saturation (no --qps); below it (--qps) the p99 still moves with each ReplicaSet\'s bursts of creates (session 18: rounds 0.77-1.29 at --qps 100), so the interval, not the rate, is what decides',
        note: 'Upstream states no figure for audit overhead; the SLO below is what both runs are held to.',
        api_mutating_p99_slo_ms: 1000,
        source: 'kubernetes.io/docs/tasks/debug/debug-cluster/audit; kubernetes/community sig-scalability/slos/api_call_latency.md',
      },
    }));
    return;
  }
  console.log(
    JSON.stringify({
      bench: 'density-record',
      nodes: first.nodes,
      pods: first.pods,
      workload: first.workload,
      storage: first.storage,
      scheduler: first.scheduler,
      bus: first.bus,
      rounds,
      method: 'each run in its own child process; order alternates by round (plain first in round 1); figures are medians over the rounds',
      plain: p,
      recorded: rc,
      overhead_ratio_all_running: ratio('all_running_s'),
      overhead_ratio_pods_phase_cpu: ratio('pods_phase_cpu_s'),
      overhead_ratio_startup_p50: ratio('pod_startup_p50_ms'),
      overhead_ratio_startup_p99: ratio('pod_startup_p99_ms'),
      overhead_ratio_api_mutating_p99: ratio('api_mutating_p99_ms'),
      overhead_ratio_peak_rss: ratio('peak_rss_bytes'),
      ratios_by_round: { all_running: each('all_running_s'), pods_phase_cpu: each('pods_phase_cpu_s'), startup_p99: each('pod_startup_p99_ms') },
      paired: Object.fromEntries(['all_running_s', 'pods_phase_cpu_s', 'pod_startup_p99_ms'].map((k) => [k, pairedRatio(each(k))])),
      machine: { ...loadAtStart, load_avg_1m_end: machine().load_avg_1m },
      anchor: {
        note:
          'Kubernetes has no message recorder; the nearest is kube-apiserver audit logging (--audit-policy-file, levels Metadata/Request/RequestResponse, log or webhook backend). Upstream states no SLO or figure for its overhead, only that it raises the apiserver memory use, depending on the policy. The SLOs below are what both runs are held to.',
        pod_startup_p99_slo_ms: 5000,
        api_mutating_p99_slo_ms: 1000,
        source: 'kubernetes.io/docs/tasks/debug/debug-cluster/audit; kubernetes/community sig-scalability/slos',
      },
    }),
  );
}
