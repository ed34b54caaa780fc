/**
 * The `fieldPath` of an `x-kubernetes-validations` rule (cel.ValidFieldPath): a JSON path of
 * field and map accessors (`.spec.ports`, `.labels['app.kubernetes.io/name']`) that must
 * name a field the schema specifies. It moves the rule's error to that field. A selectable
 * field's `jsonPath` is the same kind of path without the `[...]` notation.
 */
import { child, key } from '../validation/errors.ts';
import { additionalSchema, propertySchema, type SchemaProps } from './schema-props.ts';

/**
 * The path relative to the rule's field in field.Path notation ("spec.ports", "labels[app]")
 * and the schema it names, or an error. `allowArrayNotation: false` refuses `[...]`
 * (cel.WithFieldPathAllowArrayNotation(false), as selectableFields use it).
 */
export function parseRuleFieldPath(
  path: string,
  s: SchemaProps,
  opts: { allowArrayNotation?: boolean } = {},
): { ok: true; path: string; schema: SchemaProps } | { ok: false; error: string } {
  const tokens = path.match(/'(?:[^'\\]|\\.)*'|[.[\]]|[^.[\]']+/g) ?? [];
  let out = '';
  let cur: SchemaProps | undefined = s;
  const step = (name: string): string | undefined => {
    if (!cur) return 'does not refer to a valid field';
    if (cur.properties) {
      cur = propertySchema(cur, name);
      out = child(out, name);
      return cur ? undefined : 'does not refer to a valid field';
    }
    const extra = additionalSchema(cur);
    if (!extra) return 'does not refer to a valid field';
    cur = extra;
    out = key(out, name);
    return undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '.') {
      const name = tokens[++i];
      if (name === undefined) return { ok: false, error: 'unexpected end of JSON path' };
      const e = step(name);
      if (e) return { ok: false, error: e };
    } else if (t === '[') {
      if (opts.allowArrayNotation === false) return { ok: false, error: 'array notation is not allowed' };
      const q = tokens[++i];
      if (q === undefined) return { ok: false, error: 'unexpected end of JSON path' };
      if (q.length < 2 || !q.startsWith("'") || !q.endsWith("'")) return { ok: false, error: `expected single quoted string but got ${q}` };
      const e = step(q.slice(1, -1).replace(/\\(.)/g, '$1'));
      if (e) return { ok: false, error: e };
      if (tokens[++i] !== ']') return { ok: false, error: `expected ] but got ${tokens[i] ?? ''}` };
    } else return { ok: false, error: `expected [ or . but got: ${t}` };
  }
  return { ok: true, path: out, schema: cur };
}
