/**
 * Heap per running pod actor: starts N pod actors (the pod chart with the sim runtime, on
 * a virtual clock), runs them until every container is Running, and divides by N the heap they
 * added and the CPU they took from start to Running. The pods are minimal (one container), so the
 * figure is the actor's own cost: XState's actor, the chart's context and snapshot, the runtime's record of its sandbox and
 * container. The kubelet's bookkeeping and the stored objects are density's figure.
 *
 * Usage: npm run bench -- pod-actor [--pods 2000]
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startPodActor } from '../actors/pod/index.ts';
import { simRuntime } from '../actors/runtime/sim.ts';
import { VirtualClock } from '../actors/clock/virtual.ts';
import { arg, heapAfterGc } from './_cluster.ts';

const PODS = arg('pods', 2000);


const clock = new VirtualClock();
const runtime = simRuntime(clock);
const output = { onStatus() {}, onEvent() {}, onTerminated() {} };
const pod = (i: number): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default', uid: `uid-${i}` }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx:1.27' }] } });
const start = (p: Pod) => startPodActor({ pod: p, nodeName: 'n1', hostIP: '127.0.0.1', clock, runtime, output });

// One actor first, so the chart, the runtime and the modules are in the heap before counting.
const first = start(pod(0));
await clock.advance(60_000);
const pods = Array.from({ length: PODS }, (_, i) => pod(i + 1));
const before = heapAfterGc();
// The main thread's CPU from the first start to every pod Running: what a pod's life up to
// Running costs the actor layer and XState (the sim runtime's steps included, no apiserver).
const cpu0 = process.cpuUsage();
const actors = pods.map(start);
for (let i = 0; i < 20; i++) await clock.advance(5_000);
const cpu = process.cpuUsage(cpu0);
const running = actors.filter((a) => (a.actor.getSnapshot().value as { life?: string }).life === 'main').length;
const after = heapAfterGc();
process.stderr.write(`bench pod-actor: ${running}/${PODS} pod actors running\n`);
console.log(JSON.stringify({
  bench: 'pod-actor',
  pods: PODS,
  running,
  heap_per_pod_actor_bytes: Math.round((after - before) / PODS),
  cpu_per_pod_actor_to_running_us: Math.round((cpu.user + cpu.system) / PODS),
  anchor: { design_target_bytes: 5 * 1024, erlang_process_bytes: 2600, source: 'DESIGN.md (a pod actor is a root actor of about 5 KB); Erlang efficiency guide: a process is 338 words' },
}));
void first;
