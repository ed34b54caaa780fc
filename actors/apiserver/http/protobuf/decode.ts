/**
 * Decoding Kubernetes' protobuf encoding (`k8s\0` + runtime.Unknown{typeMeta, raw}) into
 * the JSON object the apiserver takes, for the messages in messages.ts. A field this table
 * does not know is ignored when it carries a zero value (Go's encoder writes every
 * non-pointer field) and refused otherwise: dropping data the user sent would be worse
 * than asking for JSON.
 */
import { badRequest, fail, ok, unsupportedMediaType, type Result } from '../../../../base/status.ts';
import { setOwn } from '../../../../api/json.ts';
import { rfc3339 } from '../../../../api/time.ts';
import { kindByGvk } from '../../../../api/kinds.ts';
import { MESSAGES, ROOTS } from './messages.ts';
import { readFields, toInt, WireError, type WireValue } from './wire.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Unsupported extends Error {}

const str = (v: WireValue): string => (v.wire === 2 ? v.value.toString('utf8') : '');
const int = (v: WireValue): number => (v.wire === 0 ? toInt(v.value) : 0);

/** True when a wire value is its type's zero (an empty string or message, 0, false). */
function isZero(v: WireValue): boolean {
  if (v.wire === 0) return v.value === 0n;
  if (v.wire !== 2) return v.value.every((b) => b === 0);
  if (v.value.length === 0) return true;
  try {
    return readFields(v.value).every(isZero);
  } catch {
    return false;
  }
}

/** metav1.Time {seconds, nanos} as RFC 3339 (seconds precision, as Kubernetes writes it); zero is absent. */
function time(buf: Buffer): string | undefined {
  const seconds = readFields(buf).filter((f) => f.no === 1).map(int)[0] ?? 0;
  return seconds === 0 ? undefined : rfc3339(seconds * 1000);
}

function scalar(type: string, v: WireValue, path: string): unknown {
  switch (type) {
    case 's': return str(v);
    case 'i': return int(v);
    case 'b': return v.wire === 0 && v.value !== 0n;
    case 'y': return v.wire === 2 ? v.value.toString('base64') : '';
    case 'T': return v.wire === 2 ? time(v.value) : undefined;
    case 'Q': return v.wire === 2 ? str(readFields(v.value).find((f) => f.no === 1) ?? { no: 1, wire: 2, value: Buffer.alloc(0) }) : '';
    case 'I': {
      const f = v.wire === 2 ? readFields(v.value) : [];
      const kind = int(f.find((x) => x.no === 1) ?? { no: 1, wire: 0, value: 0n });
      const s = f.find((x) => x.no === 3);
      return kind === 1 ? (s ? str(s) : '') : int(f.find((x) => x.no === 2) ?? { no: 2, wire: 0, value: 0n });
    }
    default:
      if (v.wire !== 2) throw new Unsupported(`${path}: expected a ${type} message`);
      return message(type, v.value, path);
  }
}

const isZeroValue = (x: unknown): boolean => x === '' || x === 0 || x === false || x === undefined;

function message(name: string, buf: Buffer, path: string): Record<string, unknown> {
  const fields = MESSAGES[name];
  if (!fields) throw new Unsupported(`${path}: message ${name} is not known`);
  const out: Record<string, unknown> = {};
  for (const v of readFields(buf)) {
    const def = fields[v.no];
    const where = path ? `${path}.${def?.[0] ?? `<field ${v.no}>`}` : (def?.[0] ?? `<field ${v.no}>`);
    if (!def) {
      if (isZero(v)) continue;
      throw new Unsupported(`${where} of ${name}`);
    }
    const [field, spec] = def;
    if (spec === '-') continue;
    if (spec.startsWith('...')) {
      // An embedded struct JSON inlines (IngressRule's IngressRuleValue): its fields join this object.
      if (v.wire !== 2) throw new Unsupported(`${where}: expected a ${spec.slice(3)} message`);
      Object.assign(out, message(spec.slice(3), v.value, path));
      continue;
    }
    const pointer = spec.endsWith('?');
    const type = pointer ? spec.slice(0, -1) : spec;
    if (type.startsWith('[')) {
      ((out[field] ??= []) as unknown[]).push(scalar(type.slice(1), v, where));
    } else if (type.startsWith('{')) {
      const entry = v.wire === 2 ? readFields(v.value) : [];
      const key = entry.find((e) => e.no === 1);
      const value = entry.find((e) => e.no === 2);
      const valueType = type.slice(1);
      const map = (out[field] ??= {}) as Record<string, unknown>;
      // Map keys come from the request: an own property even for `__proto__` (refused later, at the body check).
      setOwn(map, key ? str(key) : '', value ? scalar(valueType, value, where) : valueType === 's' || valueType === 'y' || valueType === 'Q' ? '' : {});
    } else {
      const x = scalar(type, v, where);
      if (pointer ? x !== undefined : !isZeroValue(x)) out[field] = x;
    }
  }
  return out;
}

/** True for a body in Kubernetes' protobuf envelope. */
export const isKubeProtobuf = (body: Buffer): boolean => body.subarray(0, 4).equals(MAGIC);

/** Decodes a protobuf-encoded object into JSON form, with apiVersion and kind from its envelope. */
export function decodeKubeProtobuf(body: Buffer): Result<Record<string, unknown>> {
  if (!isKubeProtobuf(body)) return fail(badRequest('the protobuf body does not start with the Kubernetes magic "k8s\\0"'));
  try {
    const unknown = readFields(body.subarray(4));
    const typeMeta = unknown.find((f) => f.no === 1);
    const raw = unknown.find((f) => f.no === 2);
    const tm = typeMeta?.wire === 2 ? readFields(typeMeta.value) : [];
    const apiVersion = str(tm.find((f) => f.no === 1) ?? { no: 1, wire: 2, value: Buffer.alloc(0) });
    const kind = str(tm.find((f) => f.no === 2) ?? { no: 2, wire: 2, value: Buffer.alloc(0) });
    const root = kindByGvk(apiVersion, kind)?.protobuf ?? ROOTS[`${apiVersion}/${kind}`];
    if (!root) return fail(unsupportedMediaType(`protobuf bodies of ${apiVersion} ${kind} are not supported; send JSON or YAML`));
    const obj = message(root, raw?.wire === 2 ? raw.value : Buffer.alloc(0), '');
    return ok({ apiVersion, kind, ...obj });
  } catch (err) {
    if (err instanceof Unsupported) return fail(unsupportedMediaType(`cannot decode the protobuf field ${err.message}; send JSON or YAML`));
    if (err instanceof WireError) return fail(badRequest(`malformed protobuf body: ${err.message}`));
    throw err;
  }
}
