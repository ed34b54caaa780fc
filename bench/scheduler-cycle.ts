/**
 * The scheduling cycle alone: scheduleOne (the full default plugin set) against a Snapshot of
 * scheduler_perf's fake nodes (4 cpu / 32Gi / 110 pods each), for pods like its
 * pod-default.yaml, each assumed on its node before the next — what the scheduler actor does
 * per pod, without the apiserver, the bus and the writes that scheduler-perf also measures.
 * The figure is CPU time per pod; `placement_hash` changes when any placement does (same
 * seed, same tie-breaks), so a speed-up that moves a pod shows.
 *
 * Usage: npm run bench -- scheduler-cycle [--nodes 5000] [--pods 10000] [--percentage 0]
 * Prints one JSON line on stdout.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { scheduleOne } from '../machines/scheduler/schedule-one.ts';
import { Snapshot } from '../machines/scheduler/snapshot.ts';
import { arg, machine, round } from './_cluster.ts';

const NODES = arg('nodes', 5000);
const PODS = arg('pods', 10_000);
const PERCENTAGE = arg('percentage', 0);

const capacity = { cpu: '4', memory: '32Gi', pods: '110' };
const node = (i: number): Node => ({
  metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` } },
  spec: {},
  status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (i: number): Pod => ({
  metadata: { name: `pod-${i}`, namespace: 'sched-measure', uid: `uid-${i}` },
  spec: {
    containers: [{
      name: 'pause',
      image: 'registry.k8s.io/pause:3.10',
      ports: [{ containerPort: 80 }],
      resources: { limits: { cpu: '100m', memory: '500Mi' }, requests: { cpu: '100m', memory: '500Mi' } },
    }],
  },
});

const loadAtStart = machine();
const snapshot = new Snapshot();
for (let i = 0; i < NODES; i++) snapshot.upsertNode(node(i));

let start = 0;
let seed = 1;
let hash = 0;
let unscheduled = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < PODS; i++) {
  const p = pod(i);
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  const r = scheduleOne({ snapshot, pod: p, startIndex: start, tieBreak: seed, ...(PERCENTAGE ? { percentageOfNodesToScore: PERCENTAGE } : {}) });
  start = r.nextStartIndex;
  if (r.type !== 'scheduled') {
    unscheduled++;
    continue;
  }
  for (let k = 0; k < r.node.length; k++) hash = (hash * 31 + r.node.charCodeAt(k)) | 0;
  snapshot.upsertPod({ ...p, spec: { ...p.spec!, nodeName: r.node } });
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;

console.log(JSON.stringify({
  bench: 'scheduler-cycle',
  nodes: NODES,
  pods: PODS,
  unscheduled,
  cpu_s: round(cpuMs / 1000),
  cpu_us_per_pod: round((cpuMs * 1000) / PODS, 1),
  wall_s: round(wallMs / 1000),
  cycles_per_s: round(PODS / (wallMs / 1000), 1),
  placement_hash: hash,
  machine: { ...loadAtStart, load_avg_1m_end: machine().load_avg_1m },
}));
