/**
 * The pure parts of an audit Event: its object reference, its response status, the objects
 * it may carry at Request and RequestResponse. The
 * stateful record of a request (actors/apiserver/audit/record.ts) is built from these.
 */
import type { Status } from '../../base/status.ts';
import { isObject } from '../json.ts';
import type { AuditAttributes, ObjectReference, ResponseStatus } from './types.ts';

/** The objectRef of a resource request (absent for non-resource paths). */
export function objectRefOf(attrs: AuditAttributes): ObjectReference | undefined {
  const r = attrs.resource;
  if (!r) return undefined;
  // Every field in its place (unset ones are left out of the JSON), so a name found later in the body keeps Kubernetes' order.
  return {
    resource: r.resource,
    namespace: r.namespace || undefined,
    name: r.name || undefined,
    uid: undefined,
    apiGroup: r.group || undefined,
    apiVersion: r.version,
    resourceVersion: undefined,
    subresource: r.subresource || undefined,
  };
}

/**
 * Fills what the request names only in its body (a create's name, an update's uid and
 * resourceVersion) into the reference, as LogRequestObject does; what the path named stays.
 * True when something was filled in.
 */
export function fillRefFromObject(ref: ObjectReference, obj: unknown): boolean {
  if (!isObject(obj) || !isObject(obj.metadata)) return false;
  const m = obj.metadata;
  let filled = false;
  if (!ref.namespace && typeof m.namespace === 'string' && m.namespace) (ref.namespace = m.namespace), (filled = true);
  if (!ref.name && typeof m.name === 'string' && m.name) (ref.name = m.name), (filled = true);
  if (!ref.uid && typeof m.uid === 'string' && m.uid) (ref.uid = m.uid), (filled = true);
  if (!ref.resourceVersion && typeof m.resourceVersion === 'string' && m.resourceVersion) (ref.resourceVersion = m.resourceVersion), (filled = true);
  return filled;
}

/** The event's responseStatus: the code, and a Status answer's bounded fields (status, reason, message, details). */
export function responseStatusOf(code: number, body?: unknown): ResponseStatus {
  if (!isObject(body) || body.kind !== 'Status') return codeOnly(code);
  const out: ResponseStatus = { metadata: {}, code };
  const st = body as unknown as Status & { status?: string };
  if (st.status) out.status = st.status;
  if (st.message) out.message = st.message;
  if (st.reason) out.reason = st.reason;
  if (st.details !== undefined) out.details = st.details;
  return out;
}

/** The statuses that carry only a code, one frozen object per code (most answers: every request made one). */
const CODE_ONLY = new Map<number, ResponseStatus>();

function codeOnly(code: number): ResponseStatus {
  let st = CODE_ONLY.get(code);
  if (st === undefined) CODE_ONLY.set(code, (st = Object.freeze({ metadata: Object.freeze({}) as Record<string, never>, code })));
  return st;
}

/** True when the value is, or holds as a list item, an object of kind Secret. */
export function holdsSecret(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (v.kind === 'Secret' || v.kind === 'SecretList') return true;
  return Array.isArray(v.items) && v.items.some((i) => isObject(i) && i.kind === 'Secret');
}

/** The object without metadata.managedFields (nor its list items'), copied only where something is dropped. */
export function withoutManagedFields(v: unknown): unknown {
  if (!isObject(v)) return v;
  let out = v;
  if (isObject(v.metadata) && 'managedFields' in v.metadata) {
    const { managedFields: _drop, ...metadata } = v.metadata;
    out = { ...v, metadata };
  }
  if (Array.isArray(v.items)) out = { ...out, items: v.items.map(withoutManagedFields) };
  return out;
}
