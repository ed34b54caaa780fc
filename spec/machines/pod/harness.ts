import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { startPodActor, type PodActor } from '../../../actors/pod/index.ts';
import { simRuntime } from '../../../actors/runtime/sim.ts';
import type { PodEventRecord } from '../../../machines/pod/index.ts';

/** A pod actor on the sim runtime in virtual time, recording everything it reports. */
export interface Harness {
  clock: VirtualClock;
  pod: PodActor;
  statuses: PodStatus[];
  events: Array<PodEventRecord & { t: number }>;
  terminated: number | null;
  /** Seconds since the harness started. */
  t(): number;
  last(): PodStatus;
  ctr(name: string): NonNullable<PodStatus['containerStatuses']>[number];
  cond(type: string): string | undefined;
  reasons(): string[];
}

export async function run(pod: Pod): Promise<Harness> {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const h: Harness = {
    clock,
    pod: undefined as unknown as PodActor,
    statuses: [],
    events: [],
    terminated: null,
    t: () => (clock.now() - t0) / 1000,
    last: () => h.statuses[h.statuses.length - 1]!,
    ctr: (name) => [...(h.last().initContainerStatuses ?? []), ...(h.last().containerStatuses ?? [])].find((c) => c.name === name)!,
    cond: (type) => h.last().conditions?.find((c) => c.type === type)?.status,
    reasons: () => h.events.map((e) => e.reason),
  };
  h.pod = startPodActor({
    pod, nodeName: 'node-1', hostIP: '10.0.0.1', podIP: '10.244.0.5', clock, runtime: simRuntime(clock),
    output: {
      onStatus: (s) => h.statuses.push(s),
      onEvent: (e) => h.events.push({ ...e, t: h.t() }),
      onTerminated: () => (h.terminated = h.t()),
    },
  });
  await clock.advance(0);
  return h;
}

export function pod(containers: Container[], opts: { annotations?: Record<string, string>; restartPolicy?: string; init?: Container[]; grace?: number } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', annotations: opts.annotations ?? {} },
    spec: {
      containers, nodeName: 'node-1',
      ...(opts.init ? { initContainers: opts.init } : {}),
      ...(opts.restartPolicy ? { restartPolicy: opts.restartPolicy } : {}),
      ...(opts.grace !== undefined ? { terminationGracePeriodSeconds: opts.grace } : {}),
    },
  };
}

export const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: `${name}:1.0`, ...extra });
