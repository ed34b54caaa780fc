/**
 * /openapi/v2 in protocol buffers: gnostic's `openapi.v2.Document` (google/gnostic,
 * openapiv2/OpenAPIv2.proto). client-go's `OpenAPISchema()` asks only for this encoding
 * (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) and parses nothing
 * else, so kubectl's List validation and apply's patch metadata need it.
 *
 * Only the fields the document of api/openapi/v2.ts uses are written; vendor extensions and
 * defaults are gnostic `Any`s carrying YAML, as kube-openapi writes them.
 */
import { stringify } from 'yaml';
import type { SwaggerDocument } from '../../../../api/openapi/v2.ts';

type Schema = Record<string, unknown>;

/** A protobuf message being written: fields appended in order, nested messages as byte strings. */
class Message {
  readonly #parts: Buffer[] = [];

  #varint(n: number): void {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, BigInt(n));
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      bytes.push(v ? b | 0x80 : b);
    } while (v);
    this.#parts.push(Buffer.from(bytes));
  }

  #key(no: number, wire: number): void {
    this.#varint(no * 8 + wire);
  }

  string(no: number, s: string | undefined): this {
    if (s) this.bytes(no, Buffer.from(s, 'utf8'));
    return this;
  }

  bytes(no: number, b: Buffer): this {
    this.#key(no, 2);
    this.#varint(b.length);
    this.#parts.push(b);
    return this;
  }

  message(no: number, m: Message): this {
    return this.bytes(no, m.toBuffer());
  }

  int(no: number, n: number | undefined): this {
    if (n) {
      this.#key(no, 0);
      this.#varint(n);
    }
    return this;
  }

  bool(no: number, b: boolean | undefined): this {
    return this.int(no, b ? 1 : 0);
  }

  double(no: number, n: number | undefined): this {
    if (n === undefined || n === 0) return this;
    this.#key(no, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(n);
    this.#parts.push(b);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

/** gnostic `Any`: the value as YAML. */
const anyOf = (v: unknown): Message => new Message().string(2, stringify(v));

/** gnostic `NamedAny` for each `x-` key of a schema. */
function vendorExtensions(m: Message, no: number, s: Schema): void {
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) m.message(no, new Message().string(1, k).message(2, anyOf(v)));
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** gnostic `Schema` (field numbers from OpenAPIv2.proto). */
function schemaMessage(s: Schema): Message {
  const m = new Message()
    .string(1, s.$ref as string)
    .string(2, s.format as string)
    .string(3, s.title as string)
    .string(4, s.description as string);
  if (s.default !== undefined) m.message(5, anyOf(s.default));
  m.double(6, num(s.multipleOf)).double(7, num(s.maximum)).bool(8, s.exclusiveMaximum === true).double(9, num(s.minimum)).bool(10, s.exclusiveMinimum === true);
  m.int(11, num(s.maxLength)).int(12, num(s.minLength)).string(13, s.pattern as string).int(14, num(s.maxItems)).int(15, num(s.minItems)).bool(16, s.uniqueItems === true);
  m.int(17, num(s.maxProperties)).int(18, num(s.minProperties));
  for (const r of (s.required as string[] | undefined) ?? []) m.string(19, r);
  for (const e of (s.enum as unknown[] | undefined) ?? []) m.message(20, anyOf(e));
  const ap = s.additionalProperties;
  if (typeof ap === 'boolean') m.message(21, new Message().bool(2, ap));
  else if (ap && typeof ap === 'object') m.message(21, new Message().message(1, schemaMessage(ap as Schema)));
  if (typeof s.type === 'string') m.message(22, new Message().string(1, s.type));
  if (s.items && typeof s.items === 'object') m.message(23, new Message().message(1, schemaMessage(s.items as Schema)));
  for (const a of (s.allOf as Schema[] | undefined) ?? []) m.message(24, schemaMessage(a));
  const props = s.properties as Record<string, Schema> | undefined;
  if (props) {
    const p = new Message();
    for (const [name, v] of Object.entries(props)) p.message(1, new Message().string(1, name).message(2, schemaMessage(v)));
    m.message(25, p);
  }
  m.bool(27, s.readOnly === true);
  vendorExtensions(m, 31, s);
  return m;
}

/** The document's protobuf bytes. */
export function encodeSwaggerDocument(doc: SwaggerDocument): Buffer {
  const definitions = new Message();
  for (const [name, s] of Object.entries(doc.definitions)) definitions.message(1, new Message().string(1, name).message(2, schemaMessage(s)));
  return new Message()
    .string(1, doc.swagger)
    .message(2, new Message().string(1, doc.info.title).string(2, doc.info.version))
    .message(8, new Message())
    .message(9, definitions)
    .toBuffer();
}
