/**
 * The read-modify-write loop every change of an existing object goes through (Kubernetes'
 * GuaranteedUpdate): read the stored object, compute the new one, check it decodes, run
 * the strategy, defaulting, validation and admission, then write with a compare on the read modRevision.
 * A lost compare re-reads and recomputes, so no acknowledged write is ever overwritten; a
 * stale metadata.resourceVersion in the new object is a 409 Conflict.
 */
import type { KubeObject, WriteReply } from './types.ts';
import { conflict, fail, notFound, ok, OBJECT_MODIFIED, type Result } from '../../base/status.ts';
import { deepEqual, shareUnchanged } from '../../api/json.ts';
import { nextGeneration } from '../../api/meta.ts';
import { nodeRestriction, type WriteVerb } from './admission.ts';
import { admitPriorityClass } from './priority.ts';
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
import { admitMutating, admitValidating, attributesOf, type RequestFacts } from './webhooks/chain.ts';

/** Subresources whose body is not the object itself (a Binding, a Scale): webhooks and policies do not see those writes here. */
const NOT_ADMITTED = new Set(['binding', 'scale']);

/** What a mutation produced: the desired object, or an error to answer with. */
/** `applied`: managedFields were already recorded (server-side apply), or this write records none (a binding). */
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
  /**
   * The mutation only sets fields of the stored (already decoded) object to values of their
   * type (pods/binding without annotations): decoding it again would find nothing.
   */
  decoded?: boolean;
  /** When the object does not exist: create it instead (apply, create-on-update kinds). */
  createMissing?: () => Promise<Result<WriteReply>>;
}

const withoutManaged = (o: KubeObject): KubeObject => {
  const { managedFields: _m, resourceVersion: _rv, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
};

export async function guaranteedUpdate(s: ServerContext, res: ResourceInfo, call: Call<unknown>, u: UpdateRequest): Promise<Result<WriteReply>> {
  const group = res.group || undefined;
  // The first attempt starts from the watch cache's copy when it has one (Kubernetes'
  // cachedExistingObject): no storage read. That copy may be behind; a lost compare, a
  // no-op or a refusal computed from it is checked against storage before it is believed.
  let cur: Current | null | undefined = fromCache(s, res, u.key);
  let cachedCopy = cur !== undefined;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    if (cur === undefined) {
      const read = await readCurrent(s, u.key);
      if (!read.ok) return read;
      cur = read.value;
      cachedCopy = false;
    }
    if (!cur) {
      if (u.createMissing) return u.createMissing();
      return fail(notFound(res.resource, u.name, group));
    }
    const r = await tryUpdate(s, res, call, u, cur);
    if (r === RETRY) {
      cur = undefined;
      continue;
    }
    if (cachedCopy && (!r.ok || r.value.noop)) {
      // Upstream: "it turns out our cached data was not stale, return the error" — once storage agrees.
      const read = await readCurrent(s, u.key);
      if (!read.ok) return read;
      if (read.value?.modRevision !== cur.modRevision || read.value.stale) {
        cur = read.value;
        cachedCopy = false;
        continue;
      }
    }
    return r.ok ? ok(r.value.reply) : r;
  }
  return fail(conflict(res.resource, u.name, OBJECT_MODIFIED, group));
}

/** The lost compare of one attempt: read again and recompute. */
const RETRY = Symbol('retry');

/** The watch cache's current copy of `key`, if it holds one (not a miss: a new object may not have reached it yet). */
function fromCache(s: ServerContext, res: ResourceInfo, key: string): Current | undefined {
  const obj = s.cache.resources.get(res.gr)?.items.get(key);
  const rv = Number(obj?.metadata?.resourceVersion);
  return obj && rv > 0 ? { obj, modRevision: rv } : undefined;
}

/** One read-modify-write from `cur`: the reply (noop: nothing written), a refusal, or RETRY after a lost compare. */
async function tryUpdate(s: ServerContext, res: ResourceInfo, call: Call<unknown>, u: UpdateRequest, cur: Current): Promise<Result<{ reply: WriteReply; noop?: boolean }> | typeof RETRY> {
  const group = res.group || undefined;
  const m = u.mutate(cur);
  if (!m.ok) return m;
  const typed = u.decoded ? ok(m.value.obj) : checkTypes(s, res, m.value.obj, u.decodeFailure, cur.obj);
  if (!typed.ok) return typed;
  const asked = m.value.obj.metadata?.resourceVersion;
  if (asked && asked !== String(cur.modRevision)) return fail(conflict(res.resource, u.name, OBJECT_MODIFIED, group));

  let warnings: string[] = [];
  let next = typed.value;
  if (!u.subresource || u.subresource === 'scale') {
    const fv = checkUnknownFields(s, res, next, u.fieldValidation, cur.obj);
    if (!fv.ok) return fv;
    next = fv.value.obj;
    warnings = fv.value.warnings;
  }
  const sub = u.subresource === 'scale' ? undefined : u.subresource;
  next = keepSystemMeta(cur.obj, prepareForUpdate(res, cur.obj, next, sub, s.model.kind(res).strategy, rfc3339(s.clock.now())));
  const facts: RequestFacts | null = NOT_ADMITTED.has(u.subresource ?? '') ? null : { namespace: u.namespace, name: u.name, subresource: u.subresource, old: cur.obj, user: call.user, dryRun: u.dryRun, fieldManager: u.fieldManager };
  const mutating = facts && admitMutating(s, res, () => attributesOf(res, 'UPDATE', { ...facts, object: next }));
  if (mutating) {
    const m = await mutating;
    if (!m.ok) return m;
    warnings = [...warnings, ...m.value.warnings];
    const retyped = checkTypes(s, res, m.value.object ?? next, u.decodeFailure, cur.obj);
    if (!retyped.ok) return retyped;
    next = keepSystemMeta(cur.obj, retyped.value);
  }
  if (!u.skipValidation) {
    const checked = defaultAndValidate(s, res, next, cur.obj);
    if (!checked.ok) return checked;
    next = checked.value;
  }
  if ((!u.subresource || u.subresource === 'scale') && s.model.kind(res).strategy.tracksGeneration) next.metadata = { ...next.metadata, generation: nextGeneration(cur.obj, next) };

  const denied = nodeRestriction({ verb: u.verb, res, namespace: u.namespace, name: u.name, subresource: u.subresource, user: call.user, object: next, old: cur.obj }) ?? rbacEscalation(s, res, call.user, next) ?? admitPriorityClass(s, res, next, 'update');
  if (denied) return fail(denied);
  const validating = facts && admitValidating(s, () => attributesOf(res, 'UPDATE', { ...facts, object: next }));
  if (validating) {
    const v = await validating;
    if (!v.ok) return v;
    warnings = [...warnings, ...v.value.warnings];
  }

  // What did not change is the stored version's own objects — which every kept version, the
  // watch cache and the informers' stores then share instead of holding a copy each — before the
  // comparisons below, which that makes identity checks (a status patch's spec is not walked to
  // find it unchanged). defaultAndValidate shared most of it back already; this covers a write
  // that skips validation and the metadata the generation made anew. Nothing after this point
  // changes `next` in place.
  next = shareUnchanged(next, cur.obj);
  if (!cur.stale && deepEqual(withoutManaged(next), withoutManaged(cur.obj))) return ok({ reply: reply(cur.obj, warnings), noop: true });
  if (!m.value.applied) next = recordWrite(s.model.kind(res), cur.obj, next, u.fieldManager, rfc3339(s.clock.now()));

  if (shouldDeleteDuringUpdate(s.model.kind(res).strategy, next)) {
    if (u.dryRun) return ok({ reply: reply(next, warnings) });
    const d = await deleteIf(s, u.key, cur.modRevision);
    if (!d.ok) return d;
    if (!d.value.written) return RETRY;
    writeHooksOf(res)?.release(s, cur.obj);
    return ok({ reply: reply(d.value.obj, warnings) });
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
    return ok({ reply: reply(next, warnings) });
  }
  // Shared again: the top and metadata recordWrite made new (an unchanged managedFields list).
  const w = await putIf(s, u.key, shareUnchanged(next, cur.obj), cur.modRevision);
  if (!w.ok || !w.value.written) held?.rollback();
  if (!w.ok) return w;
  if (!w.value.written) return RETRY;
  held?.commit();
  return ok({ reply: reply(w.value.obj, warnings) });
}

function reply(object: KubeObject, warnings: string[]): WriteReply {
  return warnings.length ? { object, warnings } : { object };
}
