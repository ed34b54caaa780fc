/**
 * Audit lines spelled out as the request path writes them, where the apiserver's own thread
 * writes the log (two cores or fewer: auditor.ts's `auditLog`). Instructions for a writer
 * thread (wire.ts's AuditEncoder) would be written and then read back by this same thread:
 * here each op puts its bytes straight into the lines (speller.ts), the same bytes the
 * decoder would put there — spec/actors/apiserver/audit/bus-record.spec.ts compares the two —
 * and each line goes to the log as it ends. A copy of an earlier line's run (`copy`) copies its
 * bytes; a relay of a LINE op is never possible (the line is spelled again).
 */
import { LineSpeller, type LineSink } from './speller.ts';
import { isPlainJsonChar, isUriUnreserved, MAX_FRAGMENTS, RAW_STRING, uriComponent, type AuditId, type Batch, type LineEncoder } from './wire.ts';

const NO_BATCHES: Batch[] = [];

export class DirectEncoder extends LineSpeller implements LineEncoder {
  readonly definitions: string[] = [];
  readonly #ids = new Map<string, number>();
  readonly #sink: LineSink;
  /** Where the next byte of the line goes in `out`. */
  #n = 0;

  /** `fixed`: the fragments callers name by number; `sink`: takes each line as it ends (its bytes stay valid). */
  constructor(fixed: readonly string[], sink: LineSink) {
    super(true);
    this.#sink = sink;
    for (const s of fixed) this.#define(s);
  }

  get chunk(): number {
    return this.chunks;
  }

  get at(): number {
    return this.#n;
  }

  get pending(): boolean {
    return false;
  }

  take(): Batch[] {
    return NO_BATCHES;
  }

  copy(chunk: number, from: number, to: number): boolean {
    if (chunk !== this.chunks) return false;
    const n = this.room(this.#n, to - from);
    // Room may have meant a new chunk: the run is then in the old one.
    if (chunk !== this.chunks) {
      this.#n = n;
      return false;
    }
    this.out.copyWithin(n, from, to);
    this.#n = n + (to - from);
    return true;
  }

  relay(): boolean {
    return false;
  }

  fixed(id: number): void {
    this.#n = this.spellWhole(this.fragments[id]!, this.#n);
  }

  frag(s: string): void {
    const id = this.id(s);
    if (id < 0) return this.raw(s);
    this.fixed(id);
  }

  id(s: string): number {
    const id = this.#ids.get(s);
    if (id !== undefined) return id;
    return this.definitions.length >= MAX_FRAGMENTS ? -1 : this.#define(s);
  }

  raw(s: string): void {
    this.#n = this.#utf8(s, this.#n);
  }

  text(s: string): void {
    this.#n = this.#quoted(s, this.#n);
  }

  uuid(id: AuditId): void {
    this.#n = this.spellUuid(id.pool, id.at, this.#n);
  }

  time(ms: number): void {
    this.#n = this.spellTime(ms, this.#n);
  }

  end(): void {
    this.#n = this.endLine(this.#n, this.#sink);
  }

  line(tpl: number, pool: Buffer, at: number, user: number, stage: number, received: number, stageTime: number, status: number, statusRaw: string | null, annotations: number, annotationsRaw: string | null, uriName: string | undefined, namespace: string | undefined, name: string | undefined, uid: string | undefined, resourceVersion: string | undefined): void {
    const parts = this.templates[tpl]!;
    const fragments = this.fragments;
    let n = this.#n;
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k]!;
      if (typeof part !== 'number') {
        n = this.spellWhole(part, n);
        continue;
      }
      switch (part) {
        case 0x69: // i: the ID
          n = this.spellUuid(pool, at, n);
          break;
        case 0x73: // s: the stage's fragment
          n = this.spellWhole(fragments[stage]!, n);
          break;
        case 0x55: // U: the user's
          n = this.spellWhole(fragments[user]!, n);
          break;
        case 0x61: // a, b: the times
          n = this.spellTime(received, n);
          break;
        case 0x62:
          n = this.spellTime(stageTime, n);
          break;
        case 0x72: // r, x: the status, the annotations
          n = this.#fragOrRaw(status, statusRaw, n);
          break;
        case 0x78:
          n = this.#fragOrRaw(annotations, annotationsRaw, n);
          break;
        case 0x75: // u: the name in the requestURI
          if (uriName !== undefined) n = this.#uriName(uriName, n);
          break;
        case 0x4e: // N, n, d, v: the objectRef's strings
          if (namespace !== undefined) n = this.#quoted(namespace, n);
          break;
        case 0x6e:
          if (name !== undefined) n = this.#quoted(name, n);
          break;
        case 0x64:
          if (uid !== undefined) n = this.#quoted(uid, n);
          break;
        case 0x76:
          if (resourceVersion !== undefined) n = this.#quoted(resourceVersion, n);
          break;
      }
    }
    this.#n = n;
  }

  #fragOrRaw(v: number, raw: string | null, n: number): number {
    if (v >= 0) return this.spellWhole(this.fragments[v]!, n);
    // ABSENT: nothing.
    return v === RAW_STRING && raw !== null ? this.#utf8(raw, n) : n;
  }

  /** As AuditEncoder's quoted string and the decoder's quotes: printable ASCII between quotes, any other as JSON.stringify gives it. */
  #quoted(s: string, n: number): number {
    const len = s.length;
    const from = (n = this.room(n, len + 2));
    const out = this.out;
    out[n++] = 0x22;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (!isPlainJsonChar(c)) return this.#utf8(JSON.stringify(s), from);
      out[n++] = c;
    }
    out[n++] = 0x22;
    return n;
  }

  /** A name inside the requestURI, as encodeURIComponent writes it. */
  #uriName(s: string, n: number): number {
    const len = s.length;
    const from = (n = this.room(n, len));
    const out = this.out;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (!isUriUnreserved(c)) return this.#utf8(uriComponent(s), from);
      out[n++] = c;
    }
    return n;
  }

  #utf8(s: string, n: number): number {
    n = this.room(n, 3 * s.length);
    return n + this.out.write(s, n);
  }

  #define(s: string): number {
    const id = this.definitions.length;
    this.definitions.push(s);
    this.#ids.set(s, id);
    this.define(id, Buffer.from(s));
    return id;
  }
}
