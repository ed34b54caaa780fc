/**
 * Query parameters of Kubernetes' REST verbs, turned into the bus payload fields. Invalid
 * values are 400 BadRequest Statuses, as the real apiserver answers them.
 */
import type { DeleteOptions, ListOptions } from '../../../bus/catalogue/api.ts';
import { badRequest, fail, ok, type Result } from '../../../base/status.ts';
import { isObject } from '../../../api/json.ts';

/** The fields every write shares: dryRun, fieldManager, fieldValidation. */
export interface WriteParams {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An integer query parameter read as Kubernetes decodes one into ListOptions or
 * DeleteOptions (Go's strconv.ParseInt, base 10, 64 bits): absent is undefined; anything
 * else that is not an int64 ("abc", "1e12", "1.5", "") is a 400 with Go's message.
 */
export function int64Param(q: URLSearchParams, name: string): Result<number | undefined> {
  const v = q.get(name);
  if (v === null) return ok(undefined);
  const quoted = JSON.stringify(v);
  if (!/^[+-]?\d+$/.test(v)) return fail(badRequest(`strconv.ParseInt: parsing ${quoted}: invalid syntax`));
  const n = BigInt(v);
  if (n < INT64_MIN || n > INT64_MAX) return fail(badRequest(`strconv.ParseInt: parsing ${quoted}: value out of range`));
  return ok(Number(n));
}

/** An int64 parameter that must not be negative (apimachinery's ValidateNonnegativeField message). */
export function nonNegative(q: URLSearchParams, name: string): Result<number | undefined> {
  const r = int64Param(q, name);
  if (r.ok && r.value !== undefined && r.value < 0) return fail(badRequest(`${name}: Invalid value: ${r.value}: must be greater than or equal to 0`));
  return r;
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
  const limit = nonNegative(q, 'limit');
  if (!limit.ok) return limit;
  if (limit.value) o.limit = limit.value;
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
  const gp = int64Param(q, 'gracePeriodSeconds');
  if (!gp.ok) return gp;
  if (gp.value !== undefined) o.gracePeriodSeconds = gp.value;
  if (q.get('dryRun') === 'All') o.dryRun = ['All'];
  if (q.get('orphanDependents') === 'true' && !o.propagationPolicy) o.propagationPolicy = 'Orphan';
  if (body !== undefined && body !== null) {
    if (!isObject(body)) return fail(badRequest('the DeleteOptions body must be a JSON object'));
    const b = body;
    if (b.kind !== undefined && b.kind !== 'DeleteOptions') return fail(badRequest(`expected a DeleteOptions body, got kind "${String(b.kind)}"`));
    const { kind: _k, apiVersion: _a, orphanDependents, ...rest } = b;
    Object.assign(o, rest);
    if (orphanDependents === true && !o.propagationPolicy) o.propagationPolicy = 'Orphan';
  }
  return ok(o);
}
