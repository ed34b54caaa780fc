/**
 * Generates `types.generated.ts`: the field structure of every type reachable from the
 * registered kinds (each descriptor's `schema` root, read from the kind registry), read from
 * the `kubernetes-types` declarations with the TypeScript compiler. Run after bumping
 * kubernetes-types or adding a kind:
 *   node --import ./cli/loader/register.mjs api/validation/schema/generate.ts
 *
 * Encoding of a field's type: 's' string, 'b' boolean, 'i32' / 'i64' integers of that
 * width, 'f64' a double, 'ns' int-or-string, 'y' bytes (a base64 string), 't' a
 * metav1.Time and 'tm' a metav1.MicroTime (RFC 3339 strings), 'q' a resource.Quantity,
 * 'x' free-form JSON, '[T' list of T, '{T' map of T, otherwise the name of a struct type.
 *
 * kubernetes-types carries only TypeScript types, so the OpenAPI formats (int32 / int64 /
 * double / byte / date-time) are read from the models of @kubernetes/client-node (a dev
 * dependency), walked in parallel from the same root kinds; Time, MicroTime and Quantity
 * are recognised by the alias names kubernetes-types declares them with.
 */
import ts from 'typescript';
import * as clientNode from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { allKinds } from '../../kinds.ts';

/** Bodies of subresources that are not kinds of their own (pods/binding, pods/eviction, the scale subresource). */
const SUBRESOURCE_ROOTS = ['core/v1.Binding', 'policy/v1.Eviction', 'autoscaling/v1.Scale'];

/** Kinds served at a second version the front converts (autoscaling/v1 HorizontalPodAutoscaler): their OpenAPI schema is that version's own. */
const OTHER_VERSION_ROOTS = ['autoscaling/v1.HorizontalPodAutoscaler'];

/** Root structs by kubernetes-types module ("batch/v1" → ["Job", "CronJob"]): every registered kind's schema. */
const roots: Record<string, string[]> = {};
// Served-not-stored kinds (metrics.k8s.io) state their OpenAPI schema: no kubernetes-types module has them.
for (const root of [...allKinds().filter((k) => !k.servedBy).map((k) => k.schema), ...SUBRESOURCE_ROOTS, ...OTHER_VERSION_ROOTS]) {
  const [gv = '', kind = ''] = root.split('.');
  (roots[gv] ??= []).push(kind);
}

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('kubernetes-types/package.json'));
const files = Object.keys(roots).map((gv) => join(pkgDir, `${gv}.d.ts`));
const program = ts.createProgram(files, { strict: true, noEmit: true });
const checker = program.getTypeChecker();

const out = new Map<string, Record<string, string>>();

/** One attribute of a client-node model: its JSON name, TS type text and OpenAPI format. */
interface Attr { baseName: string; type: string; format: string }
type Model = { getAttributeTypeMap(): Attr[] };
const models = clientNode as unknown as Record<string, Model | undefined>;

/** The client-node model named in an attribute's type text ("Array<V1Container>" → V1Container). */
function modelIn(typeText: string): Model | undefined {
  const name = /([A-Z][A-Za-z0-9]*V\d[A-Za-z0-9]*|V\d[A-Za-z0-9]*)/.exec(typeText)?.[1];
  return name ? models[name] : undefined;
}

/** The client-node model of a root kind: V1Deployment, or CoreV1Event where the name is shared. */
function rootModel(gv: string, kind: string): Model | undefined {
  const [group = '', version = ''] = gv.split('/');
  const v = version.toUpperCase().slice(0, 1) + version.slice(1);
  const g = group.slice(0, 1).toUpperCase() + group.slice(1);
  return models[`${g}${v}${kind}`] ?? models[`${v}${kind}`];
}

/** A scalar's code from the OpenAPI format, where the TypeScript type says only "number" or "string". */
function withFormat(code: string, format: string | undefined): string {
  if (code === 'n') return format === 'int32' ? 'i32' : format === 'double' ? 'f64' : 'i64';
  if (code === 's' && format === 'byte') return 'y';
  return code;
}

/** Applies a format to the innermost element of a list or map code ('{s' + byte → '{y'). */
function formatted(code: string, format: string | undefined): string {
  if (code.startsWith('[') || code.startsWith('{')) return code[0] + formatted(code.slice(1), format);
  return withFormat(code, format);
}

/** Time, MicroTime and Quantity are string aliases: the declaration names them, the type does not. */
function aliasCode(decl: ts.Declaration): string | undefined {
  let node = (decl as ts.PropertySignature).type;
  let wrap = '';
  for (;;) {
    if (!node) return undefined;
    if (ts.isArrayTypeNode(node)) { wrap += '['; node = node.elementType; continue; }
    if (ts.isTypeReferenceNode(node) && node.typeName.getText() === 'Array' && node.typeArguments?.[0]) { wrap += '['; node = node.typeArguments[0]; continue; }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (!index) return undefined;
      wrap += '{';
      node = index.type;
      continue;
    }
    break;
  }
  if (!ts.isTypeReferenceNode(node)) return undefined;
  const code = ({ Time: 't', MicroTime: 'tm', Quantity: 'q' } as Record<string, string>)[node.typeName.getText()];
  return code ? wrap + code : undefined;
}

function typeName(sym: ts.Symbol): string {
  const decl = sym.declarations?.[0];
  const file = decl ? relative(pkgDir, decl.getSourceFile().fileName).replace(/\.d\.ts$/, '') : '?';
  return `${file}.${sym.getName()}`;
}

function encode(t: ts.Type, model?: Model): string {
  if (t.isUnion()) {
    const parts = t.types.filter((p) => !(p.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    const hasNum = parts.some((p) => p.flags & ts.TypeFlags.NumberLike);
    const hasStr = parts.some((p) => p.flags & ts.TypeFlags.StringLike);
    if (hasNum && hasStr) return 'ns';
    if (parts.every((p) => p.flags & ts.TypeFlags.BooleanLike)) return 'b';
    if (parts.length === 1 && parts[0]) return encode(parts[0], model);
    if (hasStr) return 's';
    return 'x';
  }
  if (t.flags & ts.TypeFlags.StringLike) return 's';
  if (t.flags & ts.TypeFlags.NumberLike) return 'n';
  if (t.flags & ts.TypeFlags.BooleanLike) return 'b';
  if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'x';
  if (checker.isArrayType(t)) {
    const [el] = checker.getTypeArguments(t as ts.TypeReference);
    return '[' + (el ? encode(el, model) : 'x');
  }
  const index = t.getStringIndexType();
  if (index) return '{' + encode(index, model);
  const sym = t.aliasSymbol ?? t.getSymbol();
  if (!sym || t.getProperties().length === 0) return 'x';
  const name = typeName(sym);
  if (name === 'runtime.RawExtension') return 'x';
  visit(name, t, model);
  return name;
}

function visit(name: string, t: ts.Type, model: Model | undefined): void {
  if (out.has(name)) return;
  const fields: Record<string, string> = {};
  out.set(name, fields);
  const attrs = new Map((model?.getAttributeTypeMap() ?? []).map((a) => [a.baseName, a]));
  for (const p of t.getProperties()) {
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    if (!decl) continue;
    const attr = attrs.get(p.getName());
    const code = aliasCode(decl) ?? encode(checker.getTypeOfSymbolAtLocation(p, decl), attr ? modelIn(attr.type) : undefined);
    fields[p.getName()] = formatted(code, attr?.format);
  }
  Object.assign(fields, INLINED[name]);
}

/** Fields of inlined Go structs that kubernetes-types leaves out (admissionregistration's Rule in its rules). */
const RULE = { resources: '[s', scope: 's' };
const INLINED: Record<string, Record<string, string>> = {
  'admissionregistration/v1.RuleWithOperations': RULE,
  'admissionregistration/v1.NamedRuleWithOperations': RULE,
};

for (const [gv, kinds] of Object.entries(roots)) {
  const sf = program.getSourceFile(join(pkgDir, `${gv}.d.ts`));
  if (!sf) throw new Error(`missing ${gv}`);
  const mod = checker.getSymbolAtLocation(sf);
  if (!mod) throw new Error(`no module symbol for ${gv}`);
  for (const kind of kinds) {
    const sym = checker.getExportsOfModule(mod).find((s) => s.getName() === kind);
    if (!sym) throw new Error(`missing ${gv} ${kind}`);
    const model = rootModel(gv, kind);
    if (!model) throw new Error(`no client-node model for ${gv} ${kind}`);
    visit(`${gv}.${kind}`, checker.getDeclaredTypeOfSymbol(sym), model);
  }
}

const version = (require('kubernetes-types/package.json') as { version: string }).version;
const lines = [...out.keys()].sort().map((k) => `  '${k}': ${JSON.stringify(out.get(k))},`);
const text = `// Generated by api/validation/schema/generate.ts from kubernetes-types ${version}. Do not edit.
/** Field name → encoded type, per struct type (see generate.ts for the encoding). */
export const structs: Readonly<Record<string, Readonly<Record<string, string>>>> = {
${lines.join('\n')}
};
`;
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'types.generated.ts'), text);
console.log(`${out.size} types written`);
