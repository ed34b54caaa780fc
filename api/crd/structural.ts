/**
 * A CustomResourceDefinition version's structural schema (apiextensions.k8s.io/v1
 * `openAPIV3Schema`), compiled once per CRD version into the operations the apiserver runs
 * on every custom resource of that version, in Kubernetes' order: prune unknown fields,
 * apply defaults, validate (OpenAPI v3, embedded resources, list types, then the CEL
 * `x-kubernetes-validations` rules).
 *
 * This is the contract the CRD kind and the schema implementation share.
 */
import type { StatusCause } from '../../base/status.ts';
import type { JsonObject } from '../json.ts';
import { GoRaw, invalid } from '../validation/errors.ts';
import { compileRules, evaluateRules, ROOT } from './cel-rules.ts';
import { defaultObject } from './defaults.ts';
import { pruneObject } from './prune.ts';
import { checkDefaults } from './schema-check-defaults.ts';
import { checkSchema } from './schema-check.ts';
import type { SchemaProps } from './schema-props.ts';
import { validateListTypes } from './validate-lists.ts';
import { TYPE_INVALID, validateValue } from './validate-openapi.ts';

/** JSONSchemaProps as apiextensions.k8s.io/v1 has it (the subset a structural schema may use, plus the x-kubernetes-* extensions). */
export type JSONSchemaProps = JsonObject;

/** One CRD version's compiled schema. Every operation returns new data; none mutates its input. */
export interface StructuralSchema {
  /** Removes fields the schema does not specify (kept under `x-kubernetes-preserve-unknown-fields` and in embedded resources' metadata as Kubernetes keeps them). */
  prune(obj: JsonObject): JsonObject;
  /** Applies the schema's `default`s, as the apiserver does after decoding and after pruning. */
  applyDefaults(obj: JsonObject): JsonObject;
  /**
   * Validates `obj` (on update `old` is the stored object, for CEL transition rules with
   * `oldSelf`). Causes carry Kubernetes' field paths and messages (`spec.replicas: Invalid
   * value: "string": spec.replicas in body must be of type integer: "string"`).
   */
  validate(obj: JsonObject, old?: JsonObject): StatusCause[];
}

/** The schema's own problems (not structural, a CEL rule that does not compile): what a CRD create or update is refused with. */
export interface CompileResult {
  readonly schema: StructuralSchema;
  /** Causes with field paths under `spec.versions[i].schema.openAPIV3Schema` (empty when the schema is usable). */
  readonly errors: StatusCause[];
}

/** What the apiserver adds instead of running the CEL rules when the object has the wrong shape. */
const RULES_NOT_CHECKED = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

/** How a CRD update compiles a version's schema. */
export interface CompileOptions {
  /** The version's schema is unchanged by the update: its rules are not refused for their estimated cost one by one (as upstream). */
  readonly unchanged?: boolean;
}

/**
 * Compiles `openAPIV3Schema` for one version. `path` is where the schema sits in the CRD
 * (`spec.versions[0].schema.openAPIV3Schema`), for the field paths of `errors`.
 */
export function compileStructuralSchema(openAPIV3Schema: JSONSchemaProps | undefined, path: string, opts: CompileOptions = {}): CompileResult {
  if (!openAPIV3Schema) {
    const asIs = (o: JsonObject): JsonObject => o;
    return { schema: { prune: asIs, applyDefaults: asIs, validate: () => [] }, errors: [] };
  }
  const root = openAPIV3Schema as SchemaProps;
  const errors = checkSchema(root, path);
  // As upstream: rules and defaults are only looked at in a schema that is otherwise sound.
  const compiled = errors.length === 0 ? compileRules(root, path, { perRuleCost: !opts.unchanged }) : undefined;
  if (compiled) errors.push(...compiled.errors);
  if (errors.length === 0) errors.push(...checkDefaults(root, path, compiled?.rules));
  const schema: StructuralSchema = {
    prune: (obj) => pruneObject(obj, root),
    applyDefaults: (obj) => defaultObject(obj, root),
    validate(obj, old) {
      const errs: StatusCause[] = [];
      validateValue(root, obj, '', errs, old);
      errs.push(...validateListTypes(obj, root));
      if (!compiled?.any) return errs;
      if (errs.some((e) => e.reason === TYPE_INVALID)) errs.push(invalid(ROOT, new GoRaw('"null"'), RULES_NOT_CHECKED));
      else errs.push(...evaluateRules(compiled.rules, root, obj, old));
      return errs;
    },
  };
  return { schema, errors };
}
