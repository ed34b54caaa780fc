/**
 * The kubelet's resource metrics (its /metrics/resource endpoint, here the `kubelet.stats`
 * request of bus/catalogue/metrics.ts): each running container's cumulative CPU and working
 * set from its runtime (CRI's ContainerStats), and the node's usage as the sum of its pods' —
 * no system daemons or kernel are counted, for a sim node or a process one.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { Clock } from '../../base/clock.ts';
import { isMessage } from '../../bus/catalogue/index.ts';
import type { NodeStats, PodStats } from '../../bus/catalogue/metrics.ts';
import { ok } from '../../base/status.ts';
import type { Runtime } from '../runtime/runtime.ts';

export interface StatsServerOptions {
  port: Port;
  clock: Clock;
  nodeName: string;
  /** The node's pods that were started, with their runtimes. */
  started(): Iterable<{ pod: Pod; runtime: Runtime }>;
}

export class StatsServer {
  constructor(private readonly o: StatsServerOptions) {}

  handle(env: Envelope): void {
    if (isMessage(env, 'kubelet.stats')) void this.#answer(env);
  }

  async #answer(env: Envelope): Promise<void> {
    this.o.port.reply<'kubelet.stats'>(env, ok(await this.collect()));
  }

  /** Every running container's sample now, and the node's sum. */
  async collect(): Promise<NodeStats> {
    const pods = await Promise.all([...this.o.started()].map(({ pod, runtime }) => podStats(pod, runtime)));
    const running = pods.filter((p) => p.containers.length > 0);
    let cpu = 0;
    let memory = 0;
    for (const p of running) for (const c of p.containers) (cpu += c.cpuCoreNanoSeconds), (memory += c.memoryWorkingSetBytes);
    return { node: this.o.nodeName, cpuCoreNanoSeconds: cpu, memoryWorkingSetBytes: memory, timestamp: this.o.clock.now(), pods: running };
  }
}

async function podStats(pod: Pod, runtime: Runtime): Promise<PodStats> {
  const uid = pod.metadata?.uid ?? '';
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const samples = await Promise.all(names.map((container) => runtime.containerStats({ podUid: uid, container })));
  const containers: PodStats['containers'] = [];
  samples.forEach((s, i) => s.ok && containers.push({ name: names[i]!, ...s.value }));
  return { namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid, containers };
}
