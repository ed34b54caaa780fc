/**
 * api.create: the REST create path (Kubernetes' registry Store.Create). Name (or
 * generateName), uid, creationTimestamp and generation are stamped here; the namespace must
 * exist and not be terminating, and so must a custom resource's definition; Services get their
 * addresses; the write is create-only.
 */
import type { KubeObject, PayloadShape, WriteReply } from './types.ts';
import { alreadyExists, badRequest, fail, invalid, ok, type Result } from '../../base/status.ts';
import { generateName } from '../../api/names.ts';
import { namespaceLifecycle, nodeRestriction, withDefaultIngressClass, withDefaultStorageClass, withDefaultTolerations, withServiceAccount, withStorageProtection } from './admission.ts';
import { rfc3339 } from '../../api/time.ts';
import { noDefaults } from '../../api/kinds/info.ts';
import type { Call, ServerContext } from './context.ts';
import { recordWrite } from './managed-fields.ts';
import { checkTypes, checkUnknownFields, defaultAndValidate } from './prepare.ts';
import type { ResourceInfo } from './resources.ts';
import { rbacEscalation } from './rbac-escalation.ts';
import { writeHooksOf, type Reservation } from './services.ts';
import { putIf, MAX_WRITE_ATTEMPTS } from './store.ts';
import { objectStorageKey } from './storage-keys.ts';
import { prepareForCreate } from './strategy.ts';
import { admitQuota, limitRangeViolation, withLimitRangeDefaults } from './quota.ts';
import { withRequester } from './certificates.ts';
import { admitMutating, admitValidating, attributesOf } from './webhooks/chain.ts';
import { admitPodPriority, admitPriorityClass } from './priority.ts';
import { terminatingDefinition } from './crd-terminating.ts';

type CreatePayload = PayloadShape<'api.create'>;

/** Object apiVersion/kind and namespace agree with the target (filled in when absent). */
export function placeObject(res: ResourceInfo, targetNs: string | undefined, obj: KubeObject): Result<KubeObject> {
  if (obj.kind !== undefined && obj.kind !== res.kind) {
    return fail(badRequest(`the kind of the provided object (${obj.kind}) does not match the kind of the request (${res.kind})`));
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== res.apiVersion) {
    return fail(badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${res.apiVersion})`));
  }
  const metadata = { ...obj.metadata };
  if (res.namespaced) {
    const ns = metadata.namespace || targetNs;
    if (targetNs && metadata.namespace && metadata.namespace !== targetNs) {
      return fail(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
    }
    if (!ns) return fail(badRequest('the namespace of the object is required'));
    metadata.namespace = ns;
  } else delete metadata.namespace;
  return ok({ ...obj, apiVersion: res.apiVersion, kind: res.kind, metadata });
}

/**
 * A patched object placed like a body (kind and apiVersion restored where the patch removed
 * them, as decoding defaults them from the URL); its name must still be the URL's, as the
 * patch handler's checkName requires: 400 `the name of the object () does not match the
 * name on the URL (web)` for a patch that dropped or renamed metadata.
 */
export function placePatched(res: ResourceInfo, targetNs: string | undefined, name: string, obj: KubeObject): Result<KubeObject> {
  const placed = placeObject(res, targetNs, obj);
  if (!placed.ok) return placed;
  const named = placed.value.metadata?.name ?? '';
  if (named !== name) return fail(badRequest(`the name of the object (${named}) does not match the name on the URL (${name})`));
  return placed;
}

/** The metadata a new object gets from the server; user-set system fields are dropped. */
export function stampNew(s: ServerContext, obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, deletionTimestamp: _dt, deletionGracePeriodSeconds: _dg, selfLink: _sl, ...rest } = obj.metadata ?? {};
  return {
    ...obj,
    metadata: { ...rest, uid: s.newId(), creationTimestamp: rfc3339(s.clock.now()), generation: 1 },
  };
}

/** `applied`: the object's managedFields were recorded by server-side apply already. */
export async function create(s: ServerContext, res: ResourceInfo, call: Call<CreatePayload>, applied = false): Promise<Result<WriteReply>> {
  const p = call.payload;
  // Upstream's handler refuses the create verb only: an apply that creates is a patch.
  const ending = applied ? null : terminatingDefinition(s, res);
  if (ending) return fail(ending);
  const placed = placeObject(res, p.target.namespace, p.object);
  if (!placed.ok) return placed;
  const typed = checkTypes(s, res, placed.value);
  if (!typed.ok) return typed;
  const fv = checkUnknownFields(s, res, typed.value, p.fieldValidation);
  if (!fv.ok) return fv;
  let obj = fv.value.obj;
  const meta = obj.metadata!;
  if (!meta.name && !meta.generateName) {
    return fail(invalid(res.kind, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }], res.group || undefined));
  }
  const denied = nodeRestriction({ verb: 'create', res, namespace: meta.namespace, name: meta.name, user: call.user, object: obj }) ?? rbacEscalation(s, res, call.user, obj);
  if (denied) return fail(denied);
  if (res.namespaced) {
    const live = await namespaceLifecycle(s, res, meta.namespace!, meta.name ?? meta.generateName ?? '');
    if (!live.ok) return live;
  }
  obj = stampNew(s, obj);
  // The field manager records the body as decoding left it — defaulted — and before mutating
  // admission, as the apiserver's create handler does (kubernetes#87671): the defaults a writer
  // did not spell out are its own (`f:dnsPolicy`, a container's `f:imagePullPolicy`), what
  // admission adds is nobody's (the ServiceAccount's `kube-api-access-*` volume, the default
  // tolerations, the priority). So every pod one ReplicaSet creates has the same set, and the
  // set is its predecessor's, shared, not built again.
  // (A kind without defaults — an Event — is not copied for it: its body is what decoding leaves.)
  const kind = s.model.kind(res);
  if (!applied) obj = recordWrite(kind, undefined, kind.defaults === noDefaults ? obj : s.model.default(res, obj), p.fieldManager ?? defaultManager(call.from), rfc3339(s.clock.now()));
  obj = prepareForCreate(kind.strategy, obj);
  obj = withDefaultTolerations(res, obj, s.tolerationSeconds);
  obj = withLimitRangeDefaults(s, res, obj);
  obj = withServiceAccount(s, res, obj);
  // Awaited only when a class had to be read from storage: an await on every create would
  // change how concurrent requests interleave (and what a replay of a recording reproduces).
  let prioritized = admitPodPriority(s, res, obj);
  if (prioritized instanceof Promise) prioritized = await prioritized;
  if (!prioritized.ok) return prioritized;
  obj = prioritized.value;
  const secondDefault = admitPriorityClass(s, res, obj, 'create');
  if (secondDefault) return fail(secondDefault);
  if (res.gr === 'persistentvolumeclaims') obj = withDefaultStorageClass(s, obj);
  if (res.gr === 'ingresses.networking.k8s.io') obj = withDefaultIngressClass(s, obj);
  obj = withStorageProtection(res.gr, obj);
  obj = withRequester(res, obj, call.user);
  const facts = { namespace: meta.namespace, user: call.user, dryRun: p.dryRun, fieldManager: p.fieldManager };
  const warnings = [...fv.value.warnings];
  // MutatingAdmissionWebhook runs after the built-in mutating plugins; what its patches make is decoded again.
  const mutating = admitMutating(s, res, () => attributesOf(res, 'CREATE', { ...facts, name: meta.name, object: obj }));
  if (mutating) {
    const m = await mutating;
    if (!m.ok) return m;
    warnings.push(...m.value.warnings);
    const typed = checkTypes(s, res, m.value.object ?? obj);
    if (!typed.ok) return typed;
    obj = typed.value;
  }

  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const named = meta.name ? obj : { ...obj, metadata: { ...obj.metadata, name: generateName(meta.generateName!, (n) => Math.floor(s.random() * n)) } };
    const [bare, managedFields] = withoutManagedFields(named);
    const checked = defaultAndValidate(s, res, bare);
    if (!checked.ok) return checked;
    const attemptWarnings = [...warnings];
    let candidate = managedFields === undefined ? checked.value : { ...checked.value, metadata: { ...checked.value.metadata, managedFields } };
    const limited = limitRangeViolation(s, res, candidate);
    if (!limited.ok) return limited;
    // ValidatingAdmissionPolicy and ValidatingAdmissionWebhook: after validation, before quota.
    const validating = admitValidating(s, () => attributesOf(res, 'CREATE', { ...facts, object: candidate }));
    if (validating) {
      const v = await validating;
      if (!v.ok) return v;
      attemptWarnings.push(...v.value.warnings);
    }
    let held: Reservation | null = null;
    const hooks = writeHooksOf(res);
    if (hooks) {
      const r = hooks.reserve(s, candidate);
      if (!r.ok) return r;
      held = r.value;
      candidate = held.object;
    }
    const charged = await admitQuota(s, res, candidate, undefined, p.dryRun);
    if (!charged.ok) {
      held?.rollback();
      return charged;
    }
    if (p.dryRun) {
      held?.rollback();
      return ok(reply(candidate, true, attemptWarnings));
    }
    const key = objectStorageKey(res.gr, candidate.metadata?.namespace, candidate.metadata!.name!);
    const w = await putIf(s, key, candidate, 0);
    if (!w.ok) {
      held?.rollback();
      return w;
    }
    if (w.value.written) {
      held?.commit();
      return ok(reply(w.value.obj, true, attemptWarnings));
    }
    held?.rollback();
    // A generated name that collided is drawn again, as the apiserver's create retries do.
    if (meta.name) return fail(alreadyExists(res.resource, meta.name, res.group || undefined));
  }
  return fail(alreadyExists(res.resource, meta.generateName ?? '', res.group || undefined));
}

/** The manager a write is recorded under when the request names none (Kubernetes uses the user agent). */
export function defaultManager(from: string): string {
  const name = from.split('.')[0] || from;
  // One string per manager name: split makes a new one per write, and every managedFields entry
  // holds its manager (9,800 copies of "kubelet", 0.1 KB per pod at density's 100 x 3000).
  const known = managers.get(name);
  if (known !== undefined) return known;
  if (managers.size < MAX_MANAGERS) managers.set(name, name);
  return name;
}

/** Manager names kept by defaultManager: the components of a cluster, with room to spare (a bound, since `from` is the caller's). */
const MAX_MANAGERS = 1024;
const managers = new Map<string, string>();

function reply(object: KubeObject, created: boolean, warnings: string[]): WriteReply {
  const r: WriteReply = { object, created };
  if (warnings.length) r.warnings = warnings;
  return r;
}

/**
 * `obj` without metadata.managedFields, and the list: defaulting and validation run without
 * it. It is the server's own by then (recordWrite's, or server-side apply's), so there is
 * nothing to default or validate in it, and defaulting copies the whole object — every pod or
 * Event of one writer would hold a copy of the entry instead of sharing its set.
 */
function withoutManagedFields(obj: KubeObject): [KubeObject, unknown[] | undefined] {
  const managed = obj.metadata?.managedFields;
  if (managed === undefined) return [obj, undefined];
  const { managedFields: _m, ...metadata } = obj.metadata!;
  return [{ ...obj, metadata }, managed];
}
