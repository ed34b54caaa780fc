/**
 * The namespace controller (pkg/controller/namespace): empties a Terminating namespace and
 * then releases it. A namespace marked for deletion keeps the `kubernetes` finalizer in
 * spec.finalizers; each sync deletes all of its content (deleter.ts), records the
 * deletion conditions in its status, and either looks again later — pods may take their
 * grace period to go, finalizers may hold objects — or, once nothing is left, removes the
 * finalizer through the /finalize subresource so the apiserver deletes the namespace.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../../api/time.ts';
import { ApiError } from '../../../base/status.ts';
import { nextConditions } from '../../../machines/controllers/namespace/conditions.ts';
import { isConflict, isNotFound, targets } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { deleteAllContent } from './deleter.ts';

/** The finalizer this controller owns in a namespace's spec.finalizers. */
export const FINALIZER_KUBERNETES = 'kubernetes';

/** namespaceDeletionGracePeriod (namespace_controller.go). */
export const NAMESPACE_DELETION_GRACE_MS = 5000;

const specFinalizers = (ns: Namespace): string[] => ns.spec?.finalizers ?? [];

export function createNamespaceController(cc: ControllerContext): Controller {
  // Kubernetes waits namespaceDeletionGracePeriod after each event, so that other apiservers
  // see the deletion and last-moment creations inside the namespace land before the sweep.
  const enqueueIfDeleting = (ns: Namespace) => {
    if (ns.metadata?.deletionTimestamp) cc.enqueueAfter(ns.metadata.name ?? '', NAMESPACE_DELETION_GRACE_MS);
  };
  const namespaces = cc.informer({
    target: targets.namespaces(),
    handlers: { add: enqueueIfDeleting, update: (_, cur) => enqueueIfDeleting(cur) },
  });
  const now = () => rfc3339(cc.actor.clock.now());

  /** Reads the live namespace: the cache may lag behind the finalize of a previous pass. */
  const live = async (name: string): Promise<Namespace | null> => {
    const r = await cc.api.get(targets.namespaces(undefined, name));
    if (r.ok) return r.value;
    if (isNotFound(r.status)) return null;
    throw new ApiError(r.status);
  };

  const writeConditions = async (ns: Namespace, pass: Awaited<ReturnType<typeof deleteAllContent>>): Promise<void> => {
    const status = ns.status ?? {};
    const conditions = nextConditions(status.conditions, pass, now());
    if (!conditions) return;
    const r = await cc.api.updateStatus(targets.namespaces(undefined, ns.metadata?.name), { ...ns, status: { ...status, conditions } });
    // A conflict or a vanished namespace only means the next pass writes them.
    if (!r.ok && !isNotFound(r.status) && !isConflict(r.status)) throw new ApiError(r.status);
  };

  const finalize = async (ns: Namespace): Promise<void> => {
    const spec = { ...ns.spec, finalizers: specFinalizers(ns).filter((f) => f !== FINALIZER_KUBERNETES) };
    const r = await cc.api.update(targets.namespaces(undefined, ns.metadata?.name, 'finalize'), { ...ns, spec });
    if (!r.ok && !isNotFound(r.status)) throw new ApiError(r.status);
  };

  return {
    async sync(name) {
      if (!namespaces.get(name)?.metadata?.deletionTimestamp) return;
      const ns = await live(name);
      if (!ns?.metadata?.deletionTimestamp || !specFinalizers(ns).includes(FINALIZER_KUBERNETES)) return;
      const pass = await deleteAllContent(cc.api, name);
      await writeConditions(ns, pass);
      if (pass.deleteErrors.length > 0) throw new Error(`namespace ${name}: ${pass.deleteErrors.join('; ')}`);
      // ResourcesRemainingError: look again after half the estimate (namespace_controller.go).
      if (pass.estimate > 0) return { requeueAfter: (Math.floor(pass.estimate / 2) + 1) * 1000 };
      const fresh = await live(name);
      if (fresh) await finalize(fresh);
    },
  };
}

export const namespaceController: ControllerDefinition = {
  name: 'namespace',
  aliases: ['namespace-controller'],
  component: 'namespace-controller',
  enabledByDefault: true,
  create: createNamespaceController,
  // kube-controller-manager: "the namespace cleanup controller is very chatty" — its client gets QPS x20, burst x100.
  clientScale: { qps: 20, burst: 100 },
};
