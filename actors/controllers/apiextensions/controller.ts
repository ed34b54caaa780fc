/**
 * The apiextensions controller: what kube-apiserver's apiextensions-apiserver runs for
 * CustomResourceDefinitions (its naming, establishing and finalizer controllers), in one.
 *
 * - A CRD whose names are free in its group: its kind is registered live in the kind
 *   registry (discovery, OpenAPI, tables and routes follow), then its status says so —
 *   acceptedNames, NamesAccepted True (NoConflicts), Established True (InitialNamesAccepted).
 *   A name already in use: NamesAccepted False with the conflict's reason, nothing served.
 *   A changed spec replaces the registered kind (new columns, schema, subresources).
 * - A CRD marked for deletion (the apiserver added the customresourcecleanup finalizer and
 *   Terminating/InstanceDeletionPending): Terminating InstanceDeletionInProgress, every
 *   custom resource deleted, and once none is left Terminating False InstanceDeletionCompleted
 *   (NeverEstablished when the CRD never was, with nothing to delete) and the finalizer removed,
 *   so the apiserver deletes the CRD; the kind is unregistered when it is gone.
 */
import { rfc3339 } from '../../../api/time.ts';
import { ApiError } from '../../../base/status.ts';
import { kindRegistry } from '../../../api/kinds.ts';
import { releaseCustomKind, serveCustomKind, servedCustomKind } from './serving.ts';
import { customKind } from '../../../api/crd/custom-kind.ts';
import { decideNames, takenNames } from '../../../api/crd/naming.ts';
import { CLEANUP_FINALIZER, ESTABLISHED, isTrue, NAMES_ACCEPTED, setCondition, TERMINATING, type CustomResourceDefinition, type CustomResourceDefinitionCondition } from '../../../api/crd/types.ts';
import { isConflict, isNotFound, resourceTargets, type Target } from '../../client/index.ts';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';

const CRDS = resourceTargets<CustomResourceDefinition>('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');

/** How often a terminating CRD looks again while custom resources (held by finalizers) remain. */
export const INSTANCE_DELETION_RECHECK_MS = 1000;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function createApiextensionsController(cc: ControllerContext): Controller {
  const crds = cc.informer<CustomResourceDefinition>({
    target: CRDS(),
    handlers: {
      add: (o) => cc.enqueue(o.metadata?.name ?? ''),
      update: (_, o) => cc.enqueue(o.metadata?.name ?? ''),
      delete: (o) => cc.enqueue(o.metadata?.name ?? ''),
    },
  });
  /** What this controller serves, by CRD name: the kind's GroupResource and the spec it was built from. */
  const served = new Map<string, { gr: string; spec: string }>();
  const user = {};
  const now = () => rfc3339(cc.actor.clock.now());

  const unserve = (name: string): void => {
    const s = served.get(name);
    if (!s) return;
    releaseCustomKind(user, s.gr);
    served.delete(name);
  };

  const writeStatus = async (crd: CustomResourceDefinition, status: CustomResourceDefinition['status']): Promise<void> => {
    if (same(status, crd.status)) return;
    const r = await cc.api.updateStatus(CRDS(undefined, crd.metadata?.name), { ...crd, status } as never);
    // A conflict means a newer CRD, which is queued again; a gone one needs nothing.
    if (!r.ok && !isNotFound(r.status) && !isConflict(r.status)) throw new ApiError(r.status);
  };

  const stamp = (conditions: CustomResourceDefinitionCondition[] | undefined, c: CustomResourceDefinitionCondition) =>
    setCondition(conditions, { ...c, lastTransitionTime: now() });

  /** Registers (or replaces) the CRD's kind when its names are free; writes the naming conditions. */
  const serve = async (crd: CustomResourceDefinition): Promise<void> => {
    const name = crd.metadata?.name ?? '';
    const mine = servedCustomKind(`${crd.spec.names.plural}.${crd.spec.group}`);
    const others = kindRegistry.all().filter((k) => k.group === crd.spec.group && k !== mine);
    let decision = decideNames(crd, takenNames(others));
    if (decision.namesAccepted.status === 'True') {
      const spec = JSON.stringify(crd.spec);
      if (served.get(name)?.spec !== spec) {
        try {
          const kind = customKind(crd);
          const prev = served.get(name);
          if (prev && prev.gr !== kind.gr) unserve(name);
          serveCustomKind(user, kind, spec);
          served.set(name, { gr: kind.gr, spec });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          decision = { ...decision, namesAccepted: { type: NAMES_ACCEPTED, status: 'False', reason: 'NamesConflict', message }, established: { type: ESTABLISHED, status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' } };
        }
      }
    }
    const conditions = stamp(stamp(crd.status?.conditions, decision.namesAccepted), decision.established);
    await writeStatus(crd, { ...crd.status, acceptedNames: decision.acceptedNames, conditions, storedVersions: crd.status?.storedVersions ?? [] });
  };

  /** Deletes the custom resources; true once none is left. */
  const deleteInstances = async (crd: CustomResourceDefinition): Promise<boolean> => {
    const gr = served.get(crd.metadata?.name ?? '')?.gr;
    const kind = gr === undefined ? undefined : kindRegistry.get(gr);
    if (!kind) return true;
    const all: Target<KubeObject> = { group: kind.group, version: kind.version, resource: kind.resource };
    const list = await cc.api.list(all);
    if (!list.ok) throw new ApiError(list.status);
    for (const o of list.value.items) {
      if (o.metadata?.deletionTimestamp) continue;
      const r = await cc.api.delete({ ...all, ...(kind.namespaced ? { namespace: o.metadata?.namespace } : {}), name: o.metadata?.name });
      if (!r.ok && !isNotFound(r.status)) throw new ApiError(r.status);
    }
    return list.value.items.length === 0;
  };

  const finalize = async (crd: CustomResourceDefinition): Promise<{ requeueAfter: number } | void> => {
    if (!crd.metadata?.finalizers?.includes(CLEANUP_FINALIZER)) return;
    // As crdFinalizer.sync: a CRD never Established served nothing, so there is nothing to delete.
    const established = isTrue(crd, ESTABLISHED);
    if (established) {
      await writeStatus(crd, { ...crd.status!, conditions: stamp(crd.status?.conditions, { type: TERMINATING, status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }) });
      if (!(await deleteInstances(crd))) return { requeueAfter: INSTANCE_DELETION_RECHECK_MS };
    }
    const fresh = await cc.api.get(CRDS(undefined, crd.metadata.name));
    if (!fresh.ok) return isNotFound(fresh.status) ? undefined : void (() => { throw new ApiError(fresh.status); })();
    const end = established
      ? { type: TERMINATING, status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }
      : { type: TERMINATING, status: 'False', reason: 'NeverEstablished', message: 'resource was never established' };
    const done = { ...fresh.value, status: { ...fresh.value.status!, conditions: stamp(fresh.value.status?.conditions, end) } };
    await writeStatus(fresh.value, done.status);
    const latest = await cc.api.get(CRDS(undefined, crd.metadata.name));
    if (!latest.ok) return;
    const finalizers = (latest.value.metadata?.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
    const r = await cc.api.update(CRDS(undefined, crd.metadata.name), { ...latest.value, metadata: { ...latest.value.metadata, finalizers } } as never);
    if (!r.ok && !isNotFound(r.status)) throw new ApiError(r.status);
  };

  return {
    async sync(name) {
      const crd = crds.get(name);
      if (!crd) return unserve(name);
      if (crd.metadata?.deletionTimestamp) return finalize(crd);
      await serve(crd);
    },
    stop() {
      for (const name of [...served.keys()]) unserve(name);
    },
  };
}

export const apiextensionsController: ControllerDefinition = {
  name: 'apiextensions',
  aliases: ['customresourcedefinition-controller'],
  component: 'apiextensions-controller',
  enabledByDefault: true,
  create: createApiextensionsController,
};
