/**
 * The live cluster view: a ClusterModel fed by the process's shared informers (the ones the
 * controllers and the scheduler already hold for pods, nodes, workloads and services, so
 * the UI opens at most the few watches nobody else had: Events, EndpointSlices).
 */
import type { JsonObject } from '../../api/json.ts';
import type { Clock } from '../../base/clock.ts';
import { targets, type Target } from '../client/targets.ts';
import type { ActorHost } from '../host.ts';
import { informerFactory } from '../informers/index.ts';
import type { Indexable } from '../informers/indexer.ts';
import { ClusterModel, type ModelKind } from './cluster-model.ts';

const FED: ReadonlyArray<[ModelKind, Target<unknown>]> = [
  ['Node', targets.nodes()],
  ['Pod', targets.pods()],
  ['Deployment', targets.deployments()],
  ['ReplicaSet', targets.replicasets()],
  ['StatefulSet', targets.statefulsets()],
  ['DaemonSet', targets.daemonsets()],
  ['Job', targets.jobs()],
  ['ReplicationController', targets.replicationcontrollers()],
  ['Service', targets.services()],
  ['EndpointSlice', targets.endpointslices()],
  ['Event', targets.events()],
];

/** A live model of the host's cluster; `stop` unsubscribes from the informers. */
export function liveCluster(host: ActorHost, clock: Clock): { model: ClusterModel; stop(): void } {
  const model = new ClusterModel(() => clock.now());
  const factory = informerFactory(host);
  const offs = FED.map(([kind, target]) =>
    factory.informer<Indexable>({ target: target as Target<Indexable> }).subscribe({
      add: (o) => model.apply(kind, 'add', o as unknown as JsonObject),
      update: (_old, o) => model.apply(kind, 'update', o as unknown as JsonObject),
      delete: (o) => model.apply(kind, 'delete', o as unknown as JsonObject),
    }),
  );
  return { model, stop: () => offs.forEach((off) => off()) };
}
