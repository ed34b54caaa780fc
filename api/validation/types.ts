/**
 * The type check of an object against its kind's field structure: what decoding the JSON
 * into Kubernetes' Go structs would refuse (a string where an int32 is, a float for an
 * integer, bytes that are not base64, a time that is not RFC 3339, a list given as a
 * string). Messages are Go's, as the apiserver forwards them ("json: cannot unmarshal
 * string into Go struct field DeploymentSpec.spec.replicas of type int32"); each error
 * also carries the exact field.Path ("spec.template.spec.containers[0].ports[0].containerPort").
 * null fits every type, as it does for Go's decoder, and becomes what Go makes of it.
 */
import { badRequest, status, type Status, type StatusCause } from '../../base/status.ts';
import { isObject, clone, type JsonObject } from '../json.ts';
import { ERR_FORMAT_WRONG, parseQuantity } from '../quantity.ts';
import { fieldPath, goFieldPath, isStruct, walkSchema, type Place } from './schema/walk.ts';
import type { SchemaRef } from './unknown.ts';
import { parseTimeError } from './time-format.ts';

/** One value decoding would refuse: where, and the decoder's message. */
export interface FieldTypeError {
  /** Kubernetes field path of the value. */
  field: string;
  /** The Go decoder's message (no path for base64, time and quantity errors, as in Go). */
  message: string;
}

const INT_RANGE: Record<string, readonly [number, number]> = {
  i32: [-(2 ** 31), 2 ** 31 - 1],
  // 2^63 is exactly representable; the largest int64 is not, and rounds up to it.
  i64: [-(2 ** 63), 2 ** 63 - 1],
};

/** Every value of `obj` that does not decode into its kind's Go struct, in document order. */
export function findTypeErrors(kind: SchemaRef, obj: unknown): FieldTypeError[] {
  return decode(kind, obj).errors;
}

/**
 * Decoding as the apiserver does it: the values that do not fit (then nothing else matters),
 * or the object with its nulls as decoding leaves them: a null field is absent (a nil
 * pointer, omitted again), a null list element or map value is its type's zero value (`{}`
 * for a struct, "" for a string), so nothing after decoding meets a null where a value must
 * be. Free-form fields keep theirs. `value` is `obj` itself when it holds no null.
 *
 * `stored`: the version `obj` replaces, which decoded when it was written: what `obj` shares
 * with it (the same objects at the same places: a status patch's spec) is not walked again.
 */
export function decode<T>(kind: SchemaRef, obj: T, stored?: unknown): { errors: FieldTypeError[]; value: T } {
  const errors: FieldTypeError[] = [];
  // Only a null decoding changes counts (a metav1.Time held by value stays null: conditions' lastProbeTime).
  let nulls = false;
  walkSchema(kind.schemaType, obj, {
    null: (code, at, container, key) => void (nulls ||= nullDecodes(code, at, container, key) !== 'kept'),
    value(code, value, at) {
      if (value === null || value === undefined) return false;
      const message = mismatch(code, value, at);
      if (message === null) return true;
      errors.push({ field: fieldPath(at.steps), message });
      return false;
    },
  }, stored);
  if (errors.length || !nulls) return { errors, value: obj };
  const copy = clone(obj);
  walkSchema(kind.schemaType, copy, {
    null(code, at, container, key) {
      const becomes = nullDecodes(code, at, container, key);
      if (becomes === 'absent') delete (container as JsonObject)[key as string];
      else if (becomes === 'zero') (container as JsonObject)[key as string] = zeroOf(code);
    },
  });
  return { errors, value: copy };
}

/**
 * What decoding makes of a null `code` held by `container` at `key`: a list element or map
 * value is its type's zero value, a struct field is absent (a nil pointer) — except a
 * metav1.Time held by value (conditions' lastProbeTime, creationTimestamp), which decodes to
 * the zero time and Go encodes again as null; a *Time (deletionTimestamp) is nil, omitted.
 */
function nullDecodes(code: string, at: Place, container: JsonObject | unknown[], key: string | number): 'kept' | 'absent' | 'zero' {
  if (Array.isArray(container)) return 'zero';
  const step = at.steps[at.steps.length - 1];
  if (!step || !('field' in step)) return 'zero';
  return (code === 't' || code === 'tm') && !POINTER_TIME_FIELDS.has(key as string) ? 'kept' : 'absent';
}

/** Time fields of the served kinds that Go declares as pointers (*metav1.Time, *metav1.MicroTime): null decodes to nil. */
const POINTER_TIME_FIELDS = new Set(['deletionTimestamp', 'startTime', 'completionTime', 'lastScheduleTime', 'lastSuccessfulTime', 'acquireTime', 'renewTime', 'time']);

/** What Go's decoder makes of a null list element or map value of a scalar type (its zero value, as encoded again). */
const ZERO: Record<string, unknown> = { s: '', y: '', b: false, i32: 0, i64: 0, f64: 0, ns: 0, q: '0' };

function zeroOf(code: string): unknown {
  if (code.startsWith('[')) return [];
  if (code.startsWith('{') || isStruct(code)) return {};
  return Object.hasOwn(ZERO, code) ? ZERO[code] : null;
}

/** Go's message when `value` does not decode as `code`; null when it does. */
function mismatch(code: string, value: unknown, at: Place): string | null {
  // No closures here: this runs for every value of every write.
  switch (code) {
    case 's':
      return typeof value === 'string' ? null : unmarshal(code, at, jsonKind(value));
    case 'b':
      return typeof value === 'boolean' ? null : unmarshal(code, at, jsonKind(value));
    case 'i32':
    case 'i64':
      return intMismatch(code, code, value, at);
    case 'f64':
      return typeof value === 'number' ? null : unmarshal(code, at, jsonKind(value));
    case 'ns':
      // IntOrString: a JSON string is its string form; anything else must decode as an int32.
      return typeof value === 'string' ? null : intMismatch('i32', 'i32', value, at);
    case 'y':
      return typeof value !== 'string' ? unmarshal(code, at, jsonKind(value)) : base64Error(value);
    case 't':
    case 'tm':
      return typeof value !== 'string' ? unmarshal(code, at, jsonKind(value), 'string') : parseTimeError(value, code === 'tm');
    case 'q':
      if (typeof value !== 'string' && typeof value !== 'number') return ERR_FORMAT_WRONG;
      return parseQuantity(String(value).trim()).ok ? null : ERR_FORMAT_WRONG;
  }
  if (code.charCodeAt(0) === 91 /* [ */) return Array.isArray(value) ? null : unmarshal(code, at, jsonKind(value));
  if (code.charCodeAt(0) === 123 /* { */ || isStruct(code)) return isObject(value) ? null : unmarshal(code, at, jsonKind(value));
  return null;
}

/** Go's UnmarshalTypeError message for a `what` found where `code` (a Go `goType`) was expected. */
function unmarshal(code: string, at: Place, what: string, goType = goTypeOf(code)): string {
  return `json: cannot unmarshal ${what} into Go struct field ${goStructName(at.struct)}.${goFieldPath(at.steps)} of type ${goType}`;
}

function intMismatch(code: 'i32' | 'i64', goCode: string, value: unknown, at: Place): string | null {
  if (typeof value !== 'number') return unmarshal(goCode, at, jsonKind(value));
  const [min, max] = INT_RANGE[code]!;
  return Number.isInteger(value) && value >= min && value <= max ? null : unmarshal(goCode, at, `number ${value}`);
}

/** The JSON kind as Go's UnmarshalTypeError names it. */
function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? 'array' : 'object';
}

/** "apps/v1.DeploymentSpec" → "DeploymentSpec", as Go names the struct holding the field. */
const goStructName = (struct: string): string => struct.slice(struct.lastIndexOf('.') + 1);

/** The Go type a field code decodes into ("[]v1.Container", "map[string]string", "int32"). */
function goTypeOf(code: string): string {
  if (code.startsWith('[')) return `[]${goTypeOf(code.slice(1))}`;
  if (code.startsWith('{')) return `map[string]${goTypeOf(code.slice(1))}`;
  const scalar: Record<string, string> = {
    s: 'string', b: 'bool', i32: 'int32', i64: 'int64', f64: 'float64', y: '[]uint8',
    ns: 'intstr.IntOrString', t: 'v1.Time', tm: 'v1.MicroTime', q: 'resource.Quantity', x: 'interface {}',
  };
  return scalar[code] ?? `${code.slice(code.indexOf('/') + 1, code.lastIndexOf('.'))}.${goStructName(code)}`;
}

/** The causes a decode failure carries beside Kubernetes' message: each refused value at its exact path. */
const causesOf = (errs: readonly FieldTypeError[]): StatusCause[] =>
  errs.map((e) => ({ reason: 'FieldValueTypeInvalid', message: e.message, field: e.field }));

/**
 * A create or update body that does not decode: the apiserver's 400 from transformDecodeError,
 * `Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal ...`
 * (Go stops at the first error; every error is in details.causes with its field path).
 */
export function bodyDecodeError(kind: { kind: string; version: string }, errs: readonly FieldTypeError[]): Status {
  return badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${errs[0]?.message}`, causesOf(errs));
}

/**
 * A patch whose result does not decode: the patch handler's 422 with a group-less, nameless
 * kind, ` "" is invalid: patch: Invalid value: "<value>": <error>`, where `value` is the
 * patched object's JSON (json and merge patches) or the patch as Go prints a map (strategic).
 */
export function patchDecodeError(value: string, errs: readonly FieldTypeError[]): Status {
  const body = `Invalid value: ${JSON.stringify(value)}: ${errs[0]?.message}`;
  return status(422, 'Invalid', ` "" is invalid: patch: ${body}`, {
    causes: [{ reason: 'FieldValueInvalid', message: body, field: 'patch' }, ...causesOf(errs)],
  });
}

/** A value as Go's %+v prints a decoded JSON value: `map[spec:map[replicas:abc]]`, `[a b]`, `<nil>`. */
export function goPrint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goPrint(v[k])}`).join(' ')}]`;
  return String(v);
}

const B64 = /[A-Za-z0-9+/]/;

/** Go's base64.StdEncoding error for `s` ("illegal base64 data at input byte 4"), or null. */
export function base64Error(s: string): string | null {
  const err = (at: number) => `illegal base64 data at input byte ${at}`;
  let quantum = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\n' || c === '\r') continue;
    if (c === '=') {
      // Padding completes a quantum of two or three characters; nothing may follow it.
      if (quantum < 2) return err(i);
      let j = i + 1;
      while (j < s.length && (s[j] === '\n' || s[j] === '\r')) j++;
      if (quantum === 2) {
        if (s[j] !== '=') return err(j < s.length ? j : i);
        j++;
        while (j < s.length && (s[j] === '\n' || s[j] === '\r')) j++;
      }
      return j < s.length ? err(j) : null;
    }
    if (!B64.test(c)) return err(i);
    if (quantum === 0) start = i;
    quantum = (quantum + 1) % 4;
  }
  return quantum === 0 ? null : err(start);
}
