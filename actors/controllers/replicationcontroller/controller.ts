/**
 * The ReplicationController controller (pkg/controller/replication): upstream runs the
 * ReplicaSet controller on ReplicationControllers converted to ReplicaSets, and so does
 * this one — the shared code is actors/controllers/replicaset/, and this file is only the
 * conversion: the informer shows each ReplicationController with its equality selector as
 * matchLabels. Pods it creates, its events and its status writes name the
 * ReplicationController itself.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { targets } from '../../client/index.ts';
import type { ControllerContext, ControllerDefinition, InformerView, ObjectHandlers } from '../framework.ts';
import { createReplicaController } from '../replicaset/controller.ts';
import type { ReplicaFlavor } from '../replicaset/manage.ts';

/** An RC read as a ReplicaSet: the label map becomes matchLabels (an RC without one selects nothing). */
export function asReplicaSet(rc: ReplicationController): ReplicaSet {
  const { selector, ...spec } = rc.spec ?? {};
  return { ...rc, spec: { ...spec, ...(selector && Object.keys(selector).length ? { selector: { matchLabels: selector } } : { selector: undefined as never }) } } as ReplicaSet;
}

/** Each converted ReplicaSet's RC, for status writes (which must send the RC as stored). */
const originals = new WeakMap<ReplicaSet, ReplicationController>();

/** The informer's RCs as ReplicaSets; one converted object per cached version, so identity comparisons hold. */
function convertedView(view: InformerView<ReplicationController>): InformerView<ReplicaSet> {
  const seen = new WeakMap<ReplicationController, ReplicaSet>();
  const conv = (rc: ReplicationController): ReplicaSet => {
    let rs = seen.get(rc);
    if (!rs) {
      seen.set(rc, (rs = asReplicaSet(rc)));
      originals.set(rs, rc);
    }
    return rs;
  };
  return {
    get: (key) => {
      const rc = view.get(key);
      return rc && conv(rc);
    },
    list: () => view.list().map(conv),
    keys: () => view.keys(),
    byIndex: (name, value) => view.byIndex(name, value).map(conv),
    hasSynced: () => view.hasSynced(),
  };
}

const REPLICATION_CONTROLLER: ReplicaFlavor = {
  kind: 'ReplicationController',
  apiVersion: 'v1',
  targets: targets.replicationcontrollers,
  informer: (cc, handlers) => convertedView(cc.informer({ target: targets.replicationcontrollers(), handlers: handlers as unknown as ObjectHandlers<ReplicationController> })),
  stored: (rs) => (originals.get(rs) ?? rs) as unknown as ReplicaSet,
};

export function createReplicationController(cc: ControllerContext) {
  return createReplicaController(cc, REPLICATION_CONTROLLER);
}

export const replicationControllerController: ControllerDefinition = {
  name: 'replicationcontroller',
  aliases: ['replicationcontroller-controller'],
  component: 'replication-controller',
  enabledByDefault: true,
  create: createReplicationController,
};
