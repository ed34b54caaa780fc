import { MemoryKv } from '../kv/memory.ts';
import { kvActor } from '../kv/actor.ts';
import { podMachine, type PodInput } from '../../machines/pod/index.ts';
import { POD_EFFECTS } from '../pod/index.ts';
import { fromDef, replayableApiServer, replayableController, replayableInformers, replayableKubelet, replayableKubeProxy, replayableScheduler, replayableDns, replayableMetricsServer } from './components.ts';
import { ReplayRegistry, type ReplayableActor } from './registry.ts';
import { replayableWebhookCaller } from '../apiserver/webhooks/replay.ts';
import { replayLeaderElectionActor } from '../leader-election/elector.ts';

/** A leader-election candidate (lease.<lock>), rebuilt from its recorded config. */
export const replayableLeaderElection: ReplayableActor = fromDef('leader-election', (input) => replayLeaderElectionActor(input));

/**
 * The kv actor, replayed on a fresh memory store. Its replies are then a function of the
 * requests it received, so every reply and watch event is verified — provided the
 * recorded kv also started empty and ran on memory (see `unverifiable`).
 */
export const replayableKv: ReplayableActor = {
  ...fromDef('kv', () => kvActor(new MemoryKv())),
  unverifiable(input) {
    const backend = (input as { backend?: string } | undefined)?.backend;
    // lmdb answers reads at once while a group commit is in flight, so what a read saw depends on disk timing.
    if (backend?.endsWith('+faults')) return 'recorded with simulated storage faults (kubeactor simulate), which a fresh memory store does not have';
    return backend === 'lmdb' ? 'recorded on lmdb, whose reads race its group commits (record with --storage memory to verify the store)' : undefined;
  },
};

/**
 * The pod chart, observed at event level: `runCommands`, `report` and `emitTerminated` do
 * nothing here and are compared as outputs (the recorded `rt.*` results of the runtime's
 * commands are fed back as events).
 */
export const replayablePod: ReplayableActor = {
  name: 'pod',
  effects: POD_EFFECTS,
  // What its kubelet hands it (actors/pod/index.ts: PodActor.delete and .evict).
  hearerCalls: ['delete', 'evict'],
  build(_ctx, input) {
    return { machine: replayedPodMachine(), input: input as PodInput };
  },
};

let podReplayMachine: ReturnType<typeof podMachine.provide> | undefined;

/**
 * One provided pod machine for every replayed pod, as live (actors/pod/index.ts): its effects
 * do nothing here. A machine per pod rebuilt the chart's state nodes and XState's memos for
 * each: on density's recording (3,000 pods) 0.8 s of building and 29 MB of transitions.
 */
function replayedPodMachine(): ReturnType<typeof podMachine.provide> {
  return (podReplayMachine ??= podMachine.provide({
    actions: { runCommands: () => undefined, report: () => undefined, emitTerminated: () => undefined },
  }));
}

/** The registry of every component that can be replayed today. */
export function defaultRegistry(): ReplayRegistry {
  return new ReplayRegistry([replayableKv, replayablePod, replayableApiServer, replayableInformers, replayableScheduler, replayableController, replayableKubelet, replayableKubeProxy, replayableDns, replayableWebhookCaller, replayableMetricsServer, replayableLeaderElection]);
}
