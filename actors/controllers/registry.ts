/**
 * Every controller the controller-manager knows, in start order: one line each. The table
 * fails fast (at import) on a duplicate name or alias.
 */
import type { ControllerDefinition } from './framework.ts';
import { replicaSetController } from './replicaset/controller.ts';
import { deploymentController } from './deployment/controller.ts';
import { garbageCollectorController } from './garbage-collector/controller.ts';
import { namespaceController } from './namespace/controller.ts';
import { endpointsController } from './endpoints/controller.ts';
import { endpointSliceController } from './endpointslice/controller.ts';
import { serviceAccountController } from './serviceaccount/controller.ts';
import { rootCAPublisherController } from './root-ca-publisher/controller.ts';
import { nodeLifecycleController } from './node-lifecycle/controller.ts';
import { disruptionController } from './disruption/controller.ts';
import { cloudServiceController } from './cloud-service/controller.ts';
import { cloudNodeController } from './cloud-node/controller.ts';
import { daemonSetController } from './daemonset/controller.ts';
import { statefulSetController } from './statefulset/controller.ts';
import { jobController } from './job/controller.ts';
import { cronJobController } from './cronjob/controller.ts';
import { ttlAfterFinishedController } from './ttl-after-finished/controller.ts';
import { persistentVolumeBinderController } from './persistentvolume-binder/controller.ts';
import { localPathController } from './local-path/controller.ts';
import { pvcProtectionController } from './volume-protection/pvc-protection.ts';
import { pvProtectionController } from './volume-protection/pv-protection.ts';
import { ephemeralVolumeController } from './ephemeral-volume/controller.ts';
import { clusterRoleAggregationController } from './clusterrole-aggregation/controller.ts';
import { resourceQuotaController } from './resourcequota/controller.ts';
import { csrSigningController } from './csr-signing/controller.ts';
import { apiextensionsController } from './apiextensions/controller.ts';
import { replicationControllerController } from './replicationcontroller/controller.ts';
import { horizontalPodAutoscalerController } from './horizontal-pod-autoscaler/controller.ts';

export const CONTROLLERS: readonly ControllerDefinition[] = controllerTable([
  replicaSetController,
  deploymentController,
  garbageCollectorController,
  namespaceController,
  endpointsController,
  endpointSliceController,
  serviceAccountController,
  rootCAPublisherController,
  nodeLifecycleController,
  jobController,
  cronJobController,
  ttlAfterFinishedController,
  daemonSetController,
  statefulSetController,
  disruptionController,
  cloudServiceController,
  cloudNodeController,
  persistentVolumeBinderController,
  localPathController,
  pvcProtectionController,
  pvProtectionController,
  ephemeralVolumeController,
  clusterRoleAggregationController,
  resourceQuotaController,
  csrSigningController,
  apiextensionsController,
  replicationControllerController,
  horizontalPodAutoscalerController,
]);

/** Checks a table: names and aliases are unique across all entries. */
export function controllerTable(defs: readonly ControllerDefinition[]): readonly ControllerDefinition[] {
  const seen = new Map<string, string>();
  for (const d of defs) {
    for (const n of [d.name, ...(d.aliases ?? [])]) {
      const prev = seen.get(n);
      if (prev !== undefined) throw new Error(`controller registry: "${n}" of controller "${d.name}" is already taken by "${prev}"`);
      seen.set(n, d.name);
    }
  }
  return Object.freeze([...defs]);
}

/** The definition named `name` (or an alias), or undefined. */
export function findController(name: string, table: readonly ControllerDefinition[] = CONTROLLERS): ControllerDefinition | undefined {
  return table.find((d) => d.name === name || (d.aliases ?? []).includes(name));
}
