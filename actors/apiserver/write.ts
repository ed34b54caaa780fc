/**
 * The read-modify-write loop every change of an existing object goes through (Kubernetes'
 * GuaranteedUpdate): read the stored object, compute the new one, check it decodes, run
 * the strategy, defaulting, validation and admission, then write with a compare on the read modRevision.
 * A lost compare re-reads and recomputes, so no acknowledged write is ever overwritten; a
 * stale metadata.resourceVersion in the new object is a 409 Conflict.
 */
import type { KubeObject, WriteReply } from './types.ts';
import { conflict, fail, notFound, ok, OBJECT_MODIFIED, type Result } from '../../base/status.ts';
import { deepEqual } from '../../api/json.ts';
import { nextGeneration } from '../../api/meta.ts';
import { nodeRestriction, type WriteVerb } from './admission.ts';
import { rfc3339 } from '../../api/time.ts';
import type { Call, ServerContext } from './context.ts';
import { recordWrite } from './managed-fields.ts';
import { checkTypes, checkUnknownFields, defaultAndValidate, type DecodeFailure, type FieldValidation } from './prepare.ts';
import type { ResourceInfo } from './resources.ts';
import { rbacEscalation } from './rbac-escalation.ts';
import { writeHooksOf, type Reservation } from './services.ts';
import { deleteIf, MAX_WRITE_ATTEMPTS, putIf, readCurrent, type Current } from './store.ts';
import { admitQuota } from './quota.ts';
import { keepSystemMeta, prepareForUpdate, shouldDeleteDuringUpdate } from './strategy.ts';

/** What a mutation produced: the desired object, or an error to answer with. */
/** `applied`: managedFields were already recorded (server-side apply). */
export type Mutation = Result<{ obj: KubeObject; applied?: boolean }>;

export interface UpdateRequest {
  verb: WriteVerb;
  key: string;
  name: string;
  namespace?: string;
  subresource?: string;
  dryRun?: boolean;
  fieldManager: string;
  fieldValidation?: FieldValidation;
  /** The new object from the stored one; called again after each lost compare. */
  mutate(cur: Current): Mutation;
  /** How an object that does not decode is answered (a patch names the patch); a body's 400 by default. */
  decodeFailure?: DecodeFailure;
  /** Skip the kind's update validation (pods/binding: spec.nodeName is otherwise immutable). */
  skipValidation?: boolean;
  /** When the object does not exist: create it instead (apply, create-on-update kinds). */
  createMissing?: () => Promise<Result<WriteReply>>;
}

const withoutManaged = (o: KubeObject): KubeObject => {
  const { managedFields: _m, resourceVersion: _rv, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
};

export async function guaranteedUpdate(s: ServerContext, res: ResourceInfo, call: Call<unknown>, u: UpdateRequest): Promise<Result<WriteReply>> {
  const group = res.group || undefined;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const read = await readCurrent(s, u.key);
    if (!read.ok) return read;
    const cur = read.value;
    if (!cur) {
      if (u.createMissing) return u.createMissing();
      return fail(notFound(res.resource, u.name, group));
    }
    const m = u.mutate(cur);
    if (!m.ok) return m;
    const typed = checkTypes(s, res, m.value.obj, u.decodeFailure);
    if (!typed.ok) return typed;
    const asked = m.value.obj.metadata?.resourceVersion;
    if (asked && asked !== String(cur.modRevision)) return fail(conflict(res.resource, u.name, OBJECT_MODIFIED, group));

    let warnings: string[] = [];
    let next = typed.value;
    if (!u.subresource || u.subresource === 'scale') {
      const fv = checkUnknownFields(s, res, next, u.fieldValidation);
      if (!fv.ok) return fv;
      next = fv.value.obj;
      warnings = fv.value.warnings;
    }
    const sub = u.subresource === 'scale' ? undefined : u.subresource;
    next = keepSystemMeta(cur.obj, prepareForUpdate(res, cur.obj, next, sub, s.model.kind(res).strategy, rfc3339(s.clock.now())));
    if (!u.skipValidation) {
      const checked = defaultAndValidate(s, res, next, cur.obj);
      if (!checked.ok) return checked;
      next = checked.value;
    }
    if ((!u.subresource || u.subresource === 'scale') && s.model.kind(res).strategy.tracksGeneration) next.metadata = { ...next.metadata, generation: nextGeneration(cur.obj, next) };

    const denied = nodeRestriction({ verb: u.verb, res, namespace: u.namespace, name: u.name, subresource: u.subresource, user: call.user, object: next, old: cur.obj }) ?? rbacEscalation(s, res, call.user, next);
    if (denied) return fail(denied);

    if (!cur.stale && deepEqual(withoutManaged(next), withoutManaged(cur.obj))) return ok(reply(cur.obj, warnings));
    if (!m.value.applied) next = recordWrite(s.model.kind(res), cur.obj, next, u.fieldManager, rfc3339(s.clock.now()));

    if (shouldDeleteDuringUpdate(s.model.kind(res).strategy, next)) {
      if (u.dryRun) return ok(reply(next, warnings));
      const d = await deleteIf(s, u.key, cur.modRevision);
      if (!d.ok) return d;
      if (!d.value.written) continue;
      writeHooksOf(res)?.release(s, cur.obj);
      return ok(reply(d.value.obj, warnings));
    }

    if (!u.subresource) {
      const charged = await admitQuota(s, res, next, cur.obj, u.dryRun);
      if (!charged.ok) return charged;
    }
    let held: Reservation | null = null;
    const hooks = writeHooksOf(res);
    if (hooks) {
      const r = hooks.reserve(s, next, cur.obj);
      if (!r.ok) return r;
      held = r.value;
      next = held.object;
    }
    if (u.dryRun) {
      held?.rollback();
      return ok(reply(next, warnings));
    }
    const w = await putIf(s, u.key, next, cur.modRevision);
    if (!w.ok || !w.value.written) held?.rollback();
    if (!w.ok) return w;
    if (w.value.written) {
      held?.commit();
      return ok(reply(w.value.obj, warnings));
    }
  }
  return fail(conflict(res.resource, u.name, OBJECT_MODIFIED, group));
}

function reply(object: KubeObject, warnings: string[]): WriteReply {
  return warnings.length ? { object, warnings } : { object };
}
