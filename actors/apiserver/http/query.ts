/**
 * Query parameters of Kubernetes' REST verbs, turned into the bus payload fields. Invalid
 * values are 400 BadRequest Statuses, as the real apiserver answers them.
 */
import type { DeleteOptions, ListOptions } from '../../../bus/catalogue/api.ts';
import { badRequest, fail, ok, type Result } from '../../../bus/status.ts';

/** The fields every write shares: dryRun, fieldManager, fieldValidation. */
export interface WriteParams {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** `watch=true|1|True`: Go's strconv.ParseBool accepts these (Python sends `True`). */
export function isTrue(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

export function listOptions(q: URLSearchParams): Result<ListOptions> {
  const o: ListOptions = {};
  const label = q.get('labelSelector');
  const field = q.get('fieldSelector');
  if (label) o.labelSelector = label;
  if (field) o.fieldSelector = field;
  const limit = q.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) return fail(badRequest(`invalid limit: "${limit}"`));
    if (n > 0) o.limit = n;
  }
  const cont = q.get('continue');
  if (cont) o.continue = cont;
  const rv = q.get('resourceVersion');
  if (rv !== null) o.resourceVersion = rv;
  const match = q.get('resourceVersionMatch');
  if (match) {
    if (match !== 'NotOlderThan' && match !== 'Exact') {
      return fail(badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`));
    }
    o.resourceVersionMatch = match;
  }
  return ok(o);
}

export function writeParams(q: URLSearchParams): Result<WriteParams> {
  const w: WriteParams = {};
  const dry = q.getAll('dryRun');
  if (dry.length) {
    if (dry.some((d) => d !== 'All')) return fail(badRequest(`dryRun: Unsupported value: "${dry.join(',')}": supported values: "All"`));
    w.dryRun = true;
  }
  const fm = q.get('fieldManager');
  if (fm) w.fieldManager = fm;
  const fv = q.get('fieldValidation');
  if (fv) {
    if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
      return fail(badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`));
    }
    w.fieldValidation = fv;
  }
  return ok(w);
}

/**
 * DeleteOptions from the body (kubectl sends one) overlaid with the query parameters
 * (curl users send those); the body wins where both say something, as in Kubernetes.
 */
export function deleteOptions(q: URLSearchParams, body: unknown): Result<DeleteOptions> {
  const o: DeleteOptions = {};
  const pp = q.get('propagationPolicy');
  if (pp) {
    if (pp !== 'Orphan' && pp !== 'Background' && pp !== 'Foreground') {
      return fail(badRequest(`propagationPolicy: Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan"`));
    }
    o.propagationPolicy = pp;
  }
  const gp = q.get('gracePeriodSeconds');
  if (gp) {
    const n = Number(gp);
    if (!Number.isInteger(n)) return fail(badRequest(`invalid gracePeriodSeconds: "${gp}"`));
    o.gracePeriodSeconds = n;
  }
  if (q.get('dryRun') === 'All') o.dryRun = ['All'];
  if (q.get('orphanDependents') === 'true' && !o.propagationPolicy) o.propagationPolicy = 'Orphan';
  if (body !== undefined && body !== null) {
    if (typeof body !== 'object' || Array.isArray(body)) return fail(badRequest('the DeleteOptions body must be a JSON object'));
    const b = body as Record<string, unknown>;
    if (b.kind !== undefined && b.kind !== 'DeleteOptions') return fail(badRequest(`expected a DeleteOptions body, got kind "${String(b.kind)}"`));
    const { kind: _k, apiVersion: _a, orphanDependents, ...rest } = b;
    Object.assign(o, rest);
    if (orphanDependents === true && !o.propagationPolicy) o.propagationPolicy = 'Orphan';
  }
  return ok(o);
}
