/**
 * The part of CEL type-checking that Kubernetes does with the schema and the evaluator's
 * coarser types cannot: a field selected on `self` (or `oldSelf`, or a macro variable
 * bound to their items) must be declared by the schema, so a misspelt rule is refused at
 * CRD create (`undefined field 'replica'`) rather than failing on every object.
 */
import { escapeProperty } from './cel-escape.ts';
import { additionalSchema, isEmbedded, isIntOrString, itemsSchema, preservesUnknown, type SchemaProps } from './schema-props.ts';

interface Node {
  op: string;
  args: unknown;
  pos?: number;
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).op === 'string';

/** The schema the root's rules see: the object's properties plus apiVersion, kind and metadata (name, generateName). */
export function rootSchemaForCel(s: SchemaProps): SchemaProps {
  const meta: SchemaProps = { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } };
  return { ...s, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...s.properties, metadata: meta } };
}

/** The first field selected on a variable's schema that the schema does not declare: `{ field, pos }`. */
export function undeclaredField(ast: unknown, vars: Record<string, SchemaProps>): { field: string; pos: number } | undefined {
  let found: { field: string; pos: number } | undefined;
  const resolve = (n: unknown, scope: Map<string, SchemaProps | undefined>): SchemaProps | undefined => {
    if (!isNode(n)) return undefined;
    if (n.op === 'id') return scope.get(n.args as string);
    const args = n.args as unknown[];
    if (n.op === '.' || n.op === '.?') {
      const base = resolve(args[0], scope);
      const name = args[1] as string;
      if (!base || isIntOrString(base) || isEmbedded(base)) return undefined;
      if (base.properties) {
        const k = Object.keys(base.properties).find((p) => escapeProperty(p) === name);
        if (k !== undefined) return base.properties[k];
        // The evaluator places a selection at the field name; cel-go at its dot.
        if (!preservesUnknown(base) && !found) found = { field: name, pos: Math.max(0, (n.pos ?? 0) - n.op.length) };
        return undefined;
      }
      return base.type === 'object' ? additionalSchema(base) : undefined;
    }
    if (n.op === '[]') {
      const base = resolve(args[0], scope);
      if (!base) return undefined;
      return base.type === 'array' ? itemsSchema(base) : base.properties ? undefined : additionalSchema(base);
    }
    if (n.op === 'rcall' && (args[0] === 'value' || args[0] === 'orValue')) return resolve(args[1], scope);
    return undefined;
  };
  const walk = (n: unknown, scope: Map<string, SchemaProps | undefined>): void => {
    if (Array.isArray(n)) return n.forEach((x) => walk(x, scope));
    if (!isNode(n)) return;
    if (n.op === '.' || n.op === '.?' || n.op === '[]') resolve(n, scope);
    const args = n.args;
    if (n.op === 'rcall' && Array.isArray(args) && MACROS.has(args[0] as string) && Array.isArray(args[2]) && isNode(args[2][0]) && args[2][0].op === 'id') {
      walk(args[1], scope);
      const target = resolve(args[1], scope);
      const inner = new Map(scope);
      inner.set(args[2][0].args as string, target?.type === 'array' ? itemsSchema(target) : undefined);
      walk(args[2].slice(1), inner);
      return;
    }
    if (Array.isArray(args)) walk(args, scope);
    else if (isNode(args)) walk(args, scope);
  };
  walk(ast, new Map(Object.entries(vars)));
  return found;
}
