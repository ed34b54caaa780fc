/**
 * api.delete (Kubernetes' Store.Delete with BeforeDelete): preconditions, graceful deletion
 * and finalizers. An object that keeps finalizers (its own, or the one its propagation
 * policy adds: foregroundDeletion / orphan, for the garbage collector; or its kind's own, as a
 * Namespace's spec.finalizers) or that its kind gives a grace period (a bound pod) is only marked — deletionTimestamp, deletionGracePeriodSeconds,
 * generation + 1 — and goes once the last finalizer is removed (see write.ts). Anything else
 * is removed at once; the reply is the object as it was.
 */
import type { DeleteOptions, KubeObject, PayloadShape, WriteReply } from './types.ts';
import { conflict, fail, notFound, ok, type Result } from '../../base/status.ts';
import { namespaceDeletion, nodeRestriction } from './admission.ts';
import { rfc3339 } from '../../api/time.ts';
import type { Call, ServerContext } from './context.ts';
import type { KindStrategy } from '../../api/kinds.ts';
import type { ResourceInfo } from './resources.ts';
import { writeHooksOf } from './services.ts';
import { priorityClassDeletion } from './priority.ts';
import { deleteIf, MAX_WRITE_ATTEMPTS, putIf, readCurrent } from './store.ts';
import { objectStorageKey } from './storage-keys.ts';
import { gracePeriod, propagationFinalizer } from './strategy.ts';
import { admitValidating, attributesOf } from './webhooks/chain.ts';

type DeletePayload = PayloadShape<'api.delete'>;

/** Kubernetes' precondition failures (409 Conflict), or null when they hold. */
export function checkPreconditions(res: ResourceInfo, obj: KubeObject, opts: DeleteOptions | undefined) {
  const pre = opts?.preconditions;
  const name = obj.metadata?.name ?? '';
  const group = res.group || undefined;
  if (pre?.uid && pre.uid !== obj.metadata?.uid) {
    return conflict(res.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata?.uid ?? ''}`, group);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata?.resourceVersion) {
    return conflict(res.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata?.resourceVersion ?? ''}`, group);
  }
  return null;
}

/** The marked object, or null when the delete should remove it now. */
export function markForDeletion(strategy: KindStrategy, obj: KubeObject, opts: DeleteOptions | undefined, nowMs: number): KubeObject | null {
  const m = obj.metadata ?? {};
  const finalizers = [...(m.finalizers ?? [])];
  const added = propagationFinalizer(opts);
  if (added && !finalizers.includes(added)) finalizers.push(added);
  // Orphan and foreground exclude each other: the newest policy wins, as in Kubernetes.
  const other = added === 'orphan' ? 'foregroundDeletion' : added === 'foregroundDeletion' ? 'orphan' : null;
  const kept = other ? finalizers.filter((f) => f !== other) : finalizers;
  const specFinalizers = strategy.specFinalizers?.(obj) ?? [];
  const grace = gracePeriod(strategy, obj, opts);
  if (kept.length === 0 && specFinalizers.length === 0 && grace === 0) return null;

  const meta: KubeObject['metadata'] = { ...m, finalizers: kept.length ? kept : undefined };
  if (!meta.finalizers) delete meta.finalizers;
  const already = m.deletionTimestamp !== undefined;
  const prevGrace = m.deletionGracePeriodSeconds ?? 0;
  if (!already || grace < prevGrace) {
    meta.deletionTimestamp = rfc3339(nowMs + grace * 1000);
    meta.deletionGracePeriodSeconds = grace;
  }
  // Kubernetes bumps generation only where it is set (generation > 0): ConfigMaps have none.
  if (!already && (m.generation ?? 0) > 0) meta.generation = (m.generation ?? 0) + 1;
  const out: KubeObject = { ...obj, metadata: meta };
  return strategy.prepareForDelete ? strategy.prepareForDelete(out) : out;
}

export async function remove(s: ServerContext, res: ResourceInfo, call: Call<DeletePayload>): Promise<Result<WriteReply>> {
  const p = call.payload;
  const name = p.target.name ?? '';
  const namespace = res.namespaced ? p.target.namespace : undefined;
  const group = res.group || undefined;
  const undeletable = namespaceDeletion(res, name) ?? priorityClassDeletion(res, name);
  if (undeletable) return fail(undeletable);
  const dryRun = p.dryRun || (p.options?.dryRun?.includes('All') ?? false);
  const key = objectStorageKey(res.gr, namespace, name);
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const read = await readCurrent(s, key);
    if (!read.ok) return read;
    const cur = read.value;
    if (!cur) return fail(notFound(res.resource, name, group));
    const pre = checkPreconditions(res, cur.obj, p.options);
    if (pre) return fail(pre);
    const denied = nodeRestriction({ verb: 'delete', res, namespace, name, user: call.user, old: cur.obj });
    if (denied) return fail(denied);
    // Validating policies and webhooks see a DELETE with the stored object as oldObject.
    const validating = admitValidating(s, () => attributesOf(res, 'DELETE', { namespace, name, old: cur.obj, user: call.user, dryRun }));
    if (validating) {
      const v = await validating;
      if (!v.ok) return v;
    }

    const marked = markForDeletion(s.model.kind(res).strategy, cur.obj, p.options, s.clock.now());
    if (marked) {
      if (dryRun) return ok({ object: marked });
      if (JSON.stringify(marked) === JSON.stringify(cur.obj)) return ok({ object: cur.obj });
      const w = await putIf(s, key, marked, cur.modRevision);
      if (!w.ok) return w;
      if (w.value.written) return ok({ object: w.value.obj });
      continue;
    }
    if (dryRun) return ok({ object: cur.obj });
    const d = await deleteIf(s, key, cur.modRevision);
    if (!d.ok) return d;
    if (!d.value.written) continue;
    writeHooksOf(res)?.release(s, cur.obj);
    return ok({ object: d.value.obj });
  }
  return fail(conflict(res.resource, name, 'the object kept changing while it was being deleted', group));
}
