/**
 * Unknown-field detection for `?fieldValidation=Strict|Warn|Ignore`, against the field
 * structure generated from kubernetes-types (schema/types.generated.ts). Paths are printed
 * as the apiserver's strict decoder prints them: "spec.containers[0].foo".
 */
import { badRequest, type Status } from '../../base/status.ts';
import type { JsonObject } from '../json.ts';
import { strictPath, walkSchema } from './schema/walk.ts';
import { clone } from '../json.ts';

/** What the walk needs of a kind: the name of its root struct in the generated table. */
export interface SchemaRef {
  readonly schemaType: string;
}

type Visit = (path: string, parent: JsonObject, key: string) => void;

function walk(type: string, value: unknown, onUnknown: Visit, known?: unknown): void {
  walkSchema(type, value, { unknown: (at, parent, key) => onUnknown(strictPath(at.steps), parent, key) }, known);
}

/**
 * Paths of every field of `obj` its kind does not define, in document order. `known`: a value
 * with none (a stored object, pruned when written): what `obj` shares with it is not walked.
 */
export function findUnknownFields(kind: SchemaRef, obj: unknown, known?: unknown): string[] {
  const out: string[] = [];
  walk(kind.schemaType, obj, (p) => out.push(p), known);
  return out;
}

/** A copy of `obj` without the unknown fields (what `fieldValidation=Ignore` stores). */
export function dropUnknownFields<T>(kind: SchemaRef, obj: T): T {
  const copy = clone(obj);
  walk(kind.schemaType, copy, (_p, parent, key) => delete parent[key]);
  return copy;
}

/** Kubernetes' 400 for Strict: `strict decoding error: unknown field "spec.foo", unknown field "x"`. */
export function strictDecodingError(paths: readonly string[]): Status {
  return badRequest(`strict decoding error: ${paths.map((p) => `unknown field "${p}"`).join(', ')}`);
}

/** The warnings for Warn, one per field: `unknown field "spec.foo"`. */
export function unknownFieldWarnings(paths: readonly string[]): string[] {
  return paths.map((p) => `unknown field "${p}"`);
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Applies a fieldValidation directive: the object to keep, warnings, or the Strict error. */
export function checkUnknownFields<T>(kind: SchemaRef, obj: T, mode: FieldValidation):
  { ok: true; value: T; warnings: string[] } | { ok: false; status: Status } {
  const paths = findUnknownFields(kind, obj);
  if (paths.length === 0) return { ok: true, value: obj, warnings: [] };
  if (mode === 'Strict') return { ok: false, status: strictDecodingError(paths) };
  return { ok: true, value: dropUnknownFields(kind, obj), warnings: mode === 'Warn' ? unknownFieldWarnings(paths) : [] };
}
