import { hash } from 'node:crypto';
import { addExtension, Packr, REUSE_BUFFER_MODE } from 'msgpackr';
import { BEARER, blank, CREDENTIAL_KEYS, redact, REDACTED } from './redact.ts';

/**
 * Interning for the message log (format 2, see format.ts): every object or array big
 * enough to be worth it is written once per file part, as a definition, and referenced by
 * its id wherever it appears again — a pod's spec travels in a kv.txn, a kv.events, a
 * watch event per watcher, a kubelet's start and the pod actor's input, and is written
 * once. Equality is by content (the value's msgpack encoding), so equal objects share an id
 * however they were copied; objects served from storage (`metadata.resourceVersion` set,
 * immutable by the apiserver's contract) and the kv's own messages are also remembered by
 * identity, so the next message carrying the same object costs one WeakMap lookup.
 *
 * Redaction (redact.ts's rules) runs only on new content whose encoding shows something
 * that may be a secret (`MAY_HOLD_SECRETS`), so no payload is walked for it otherwise.
 */

/** msgpack extension type of a reference to an interned value. */
export const REF_EXT = 0x4b;

/** A reference to the interned value with this id (ids count from 0 in each file part). */
export class LogRef {
  constructor(readonly id: number) {}
}

/** The table references resolve against while a part is decoded (see `decodeWith`). */
let table: unknown[] | null = null;

addExtension({
  Class: LogRef,
  type: REF_EXT,
  pack(ref: LogRef): Buffer {
    const id = ref.id;
    if (id < 0x100) return Buffer.of(id);
    if (id < 0x10000) return Buffer.of(id >>> 8, id & 0xff);
    return Buffer.of(id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff);
  },
  unpack(buf: Uint8Array): unknown {
    if (table === null) throw new Error('an interned-value reference outside a message log');
    let id = 0;
    for (let i = 0; i < buf.length; i++) id = id * 256 + buf[i]!;
    if (id >= table.length) throw new Error(`reference to interned value ${id}, but only ${table.length} are defined`);
    return table[id];
  },
});

/** Runs `fn` (decoding) with references resolving against `defs`. */
export function decodeWith<T>(defs: unknown[], fn: () => T): T {
  const prev = table;
  table = defs;
  try {
    return fn();
  } finally {
    table = prev;
  }
}

/** Values whose encoding is shorter than this stay inline (a reference costs 3-6 bytes). */
const MIN_BYTES = 48;
/** Strings this long or longer are interned by value. */
const MIN_STRING = 20;
/** How deep into a Kubernetes object members are interned on their own: its fields (metadata, spec, status), and theirs. */
const OBJECT_LEVELS = 2;
/** Content keys remembered per generation; two generations are kept (an approximate LRU bound on memory). */
const GENERATION = 100_000;
const MAX_DEPTH = 64;

/**
 * What may hold a secret, as it shows in msgpack bytes (latin1): a member named as a
 * credential (its fixstr length byte, then the name: `CREDENTIAL_KEYS`; `Secret`, a
 * Secret's kind, among them), a `Bearer ` token, or the Kelvin sign (a name with it lower-
 * cases to one with a k). A superset: a value that matches is redacted by redact.ts's walk,
 * one that does not holds nothing that walk would change.
 */
const MAY_HOLD_SECRETS = new RegExp([...[...CREDENTIAL_KEYS].map((k) => String.fromCharCode(0xa0 + k.length) + k), 'bearer\\s', '\xe2\x84\xaa'].join('|'), 'i');

const credentialMemo = new Map<string, boolean>();
/**
 * The lengths of the credential names: a name of another length is none of them (lower-casing
 * keeps a name's length but for U+0130, whose lower case holds a combining dot no credential
 * name has). Most names are ruled out by this before the memo.
 */
const CREDENTIAL_LENGTHS = new Set([...CREDENTIAL_KEYS].map((k) => k.length));
/** redact.ts's rule for a member's name, memoized (names repeat). */
function isCredentialKey(key: string): boolean {
  if (!CREDENTIAL_LENGTHS.has(key.length)) return false;
  let is = credentialMemo.get(key);
  if (is === undefined) {
    is = CREDENTIAL_KEYS.has(key.toLowerCase());
    if (credentialMemo.size < 10_000) credentialMemo.set(key, is);
  }
  return is;
}

const isPlain = (v: object): boolean => {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
};

/** Whether `o` is a Kubernetes object (what travels in many messages). */
const isObject = (o: unknown): boolean => {
  if (typeof o !== 'object' || o === null) return false;
  const r = o as Record<string, unknown>;
  return typeof r.kind === 'string' && typeof r.apiVersion === 'string' && typeof r.metadata === 'object' && r.metadata !== null && isPlain(r);
};

/** Whether `o` is an object served from storage (immutable by the apiserver's contract). */
const isStored = (o: Record<string, unknown>): boolean => {
  const m = o.metadata;
  return typeof m === 'object' && m !== null && typeof (m as { resourceVersion?: unknown }).resourceVersion === 'string';
};

/**
 * Whether redact() may change `v` at its own level: a Secret (its data), a member named as
 * a credential, a string that may be a bearer token, or a member that is not plain data
 * (redact() walks into it; the interner would not). Members that are plain objects or arrays
 * are not looked into: they are checked as they are interned.
 */
function mayHoldSecretsHere(v: object): boolean {
  if (Array.isArray(v)) {
    for (const c of v) if (maySecretMember(c)) return true;
    return false;
  }
  const o = v as Record<string, unknown>;
  if (o.kind === 'Secret') return true;
  for (const k of Object.keys(o)) if (isCredentialKey(k) || maySecretMember(o[k])) return true;
  return false;
}

function maySecretMember(c: unknown): boolean {
  if (typeof c === 'string') return (c.charCodeAt(0) | 0x20) === 0x62 && BEARER.test(c);
  return typeof c === 'object' && c !== null && !ArrayBuffer.isView(c) && !Array.isArray(c) && !isPlain(c);
}

/** A packr's buffer with the range of the value it packed last (msgpackr's `REUSE_BUFFER_MODE`). */
type Packed = Buffer & { start: number; end: number };

/**
 * A content key: the encoding itself up to 128 bytes, else its SHA-1. One-shot hashing: a
 * Hash object per value cost more than the digest (5% of a recording's CPU in density).
 */
function keyOf(p: Packed): string {
  const { start, end } = p;
  return end - start <= 128 ? p.toString('latin1', start, end) : hash('sha1', p.subarray(start, end), 'base64');
}

/** What one entry became: the definitions it introduces (in id order), then the entry with references. */
export interface Interned {
  defs: unknown[];
  value: unknown;
}

/**
 * The writer's side: assigns ids, remembers content and immutable objects, redacts on the
 * way. A value's content key is its msgpack encoding (hashed past 128 bytes): a value seen
 * before costs one encoding and no walk; only a new one is taken apart, member by member,
 * so what it shares with earlier values is referenced.
 */
export class Interner {
  #recent = new Map<string, number>();
  #older = new Map<string, number>();
  /** Long strings (names, uids, image references, messages) by value, two generations as above. */
  #strings = new Map<string, number>();
  #olderStrings = new Map<string, number>();
  #byIdentity = new WeakMap<object, LogRef>();
  #refs: LogRef[] = [];
  #defs: unknown[] = [];
  /** Self-describing (not sequential): equal content always encodes to equal bytes. */
  readonly #keys = new Packr({ structures: [], maxSharedStructures: 0, saveStructures: () => false, moreTypes: false, mapsAsObjects: true, useRecords: false });

  /** `redacting`: apply redact.ts's rules (Secret data, bearer tokens, credential keys). */
  constructor(private readonly redacting: boolean) {}

  /** Forgets everything: a new part starts with an empty table. */
  reset(): void {
    this.#recent = new Map();
    this.#older = new Map();
    this.#strings = new Map();
    this.#olderStrings = new Map();
    this.#byIdentity = new WeakMap();
    this.#refs = [];
  }

  /**
   * Interns the values of `entry`'s fields (its own fields stay inline). `immutable`: the
   * entry's values are storage content no one changes (the kv's events and replies), so
   * they are remembered by identity. `n`: added last, as the entry's number.
   */
  intern(entry: Record<string, unknown>, immutable = false, n?: number): Interned {
    this.#defs = [];
    const out: Record<string, unknown> = {};
    for (const k in entry) {
      if (n !== undefined && k === 'n') continue;
      const v = entry[k];
      out[k] = typeof v === 'string' && (k === 'from' || k === 'to' || k === 'type') ? v : this.#walk(v, '', 0, immutable);
    }
    if (n !== undefined) out.n = n;
    return { defs: this.#defs, value: out };
  }

  /**
   * A value around objects (a message's payload, a snapshot's context): walked member by
   * member, redacted by redact.ts's rules as it goes, its Kubernetes objects interned.
   * `name`: the member it is under ('' in an array).
   */
  #walk(v: unknown, name: string, depth: number, immutable: boolean): unknown {
    if (typeof v === 'string') {
      if (this.redacting && v !== '') {
        if (name !== '' && isCredentialKey(name)) return REDACTED;
        if ((v.charCodeAt(0) | 0x20) === 0x62 && BEARER.test(v)) return `Bearer ${REDACTED}`;
      }
      return v.length >= MIN_STRING ? this.#string(v) : v;
    }
    if (typeof v !== 'object' || v === null) return v;
    if (depth > MAX_DEPTH || ArrayBuffer.isView(v) || !(Array.isArray(v) || isPlain(v))) return this.redacting && !ArrayBuffer.isView(v) ? redact(v, depth) : v;
    if (Array.isArray(v)) {
      const arr = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) arr[i] = this.#walk(v[i], '', depth + 1, immutable);
      return arr;
    }
    const o = v as Record<string, unknown>;
    if (isObject(o)) return this.#intern(o, OBJECT_LEVELS, depth, immutable || isStored(o), !this.redacting);
    // An object's spec or status travels on its own too (a status patch, a pod actor's report): interned as in the object.
    if (name === 'status' || name === 'spec') return this.#intern(o, OBJECT_LEVELS - 1, depth, immutable, !this.redacting);
    const secret = this.redacting && o.kind === 'Secret';
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(o)) {
      const c = o[k];
      copy[k] = secret && (k === 'data' || k === 'stringData') && typeof c === 'object' && c !== null ? blank(c as Record<string, unknown>) : this.#walk(c, k, depth + 1, immutable);
    }
    return copy;
  }

  /**
   * `v` by content: a reference, or inline when small. `levels`: how deep its members are
   * interned on their own (a Kubernetes object's fields, and theirs). Unless `clean` (an
   * enclosing value was redacted), secrets are redacted on the way: see `#composite`, `#leaf`.
   */
  #intern(v: object, levels: number, depth: number, immutable: boolean, clean: boolean): unknown {
    const remembered = immutable ? this.#byIdentity.get(v) : undefined;
    if (remembered !== undefined) return remembered;
    const out = levels > 0 ? this.#composite(v, levels, depth, immutable, clean) : this.#leaf(v, depth, immutable, clean);
    if (immutable && out instanceof LogRef) this.#byIdentity.set(v, out);
    return out;
  }

  /**
   * A value whose members are interned on their own, keyed bottom-up: its members first
   * (each by its own key), then the value with its members' references in their place — so
   * each byte of a new object is packed once for its key, not once per level (packing for
   * keys was most of a recording's cost), and a member known by identity is not packed at
   * all (the watch cache's copy of a stored object shares its spec and status). Equal content
   * gets equal member ids, hence an equal key. Redaction: the value's own names and strings
   * are checked before any member is interned (a member's redaction depends only on its
   * parent's kind and its own name); if they may hold a secret, the whole value is redacted
   * first, as redact() would, and what it became is interned.
   */
  #composite(v: object, levels: number, depth: number, immutable: boolean, clean: boolean): unknown {
    if (!clean && this.redacting && mayHoldSecretsHere(v)) return this.#composite(redact(v, depth) as object, levels, depth, immutable, true);
    const form = this.#members(v, levels, depth, immutable, clean);
    // Small is judged on the value as it would be written inline: references stand for more.
    const inlined = this.#inlined;
    const packed = this.#pack(form);
    if (packed.end - packed.start + inlined < MIN_BYTES) return form;
    const key = keyOf(packed);
    let id = this.#recent.get(key) ?? this.#older.get(key);
    if (id === undefined) id = this.#define(form);
    this.#remember(key, id);
    return this.#refs[id]!;
  }

  /**
   * A value interned as a whole: its key is its msgpack encoding (hashed past 128 bytes). A
   * value seen before costs one encoding and no walk; a new one is redacted first if its
   * encoding shows it may hold a secret (unless `clean`), then defined with its long strings
   * and the Kubernetes objects of its lists referenced.
   */
  #leaf(v: object, depth: number, immutable: boolean, clean: boolean): unknown {
    const packed = this.#pack(v);
    const { start, end } = packed;
    if (end - start < MIN_BYTES) return !clean && MAY_HOLD_SECRETS.test(packed.toString('latin1', start, end)) ? redact(v, depth) : v;
    const key = keyOf(packed);
    let id = this.#recent.get(key) ?? this.#older.get(key);
    if (id === undefined) {
      // Tested before anything else is packed: the range is valid until the packr's next value.
      const value = !clean && MAY_HOLD_SECRETS.test(packed.toString('latin1', start, end)) ? (redact(v, depth) as object) : v;
      id = this.#define(this.#members(value, 0, depth, immutable, true));
    }
    this.#remember(key, id);
    return this.#refs[id]!;
  }

  /**
   * `v` packed for its key, without a Buffer per value: the packr's own buffer, the value at
   * `start`..`end`, valid until the packr packs again.
   */
  #pack(v: unknown): Packed {
    return this.#keys.pack(v, REUSE_BUFFER_MODE) as Packed;
  }

  /** Bytes the references `#members` put in place of values would have taken inline (at least). */
  #inlined = 0;

  /**
   * `v` with its long strings and the Kubernetes objects of its lists referenced, and, with
   * `levels` > 0, its object and array members interned `levels - 1` deep.
   */
  #members(v: object, levels: number, depth: number, immutable: boolean, clean: boolean): unknown {
    let inlined = 0;
    const member = (c: unknown): unknown => {
      if (typeof c === 'string') {
        if (c.length < MIN_STRING) return c;
        inlined += c.length;
        return this.#string(c);
      }
      if (typeof c !== 'object' || c === null || ArrayBuffer.isView(c) || !(Array.isArray(c) || isPlain(c))) return c;
      let r: unknown;
      // A list's items are objects of their own; anything else is interned as a whole below the last level.
      if (Array.isArray(c) && c.length > 0 && isObject(c[0])) r = c.map((x) => (isObject(x) ? this.#intern(x as object, OBJECT_LEVELS, depth + 2, immutable || isStored(x as Record<string, unknown>), clean) : clean ? x : redact(x, depth + 2)));
      else if (levels > 0) r = this.#intern(c, levels - 1, depth + 1, immutable, clean);
      else return c;
      if (r instanceof LogRef || Array.isArray(r)) inlined += MIN_BYTES;
      return r;
    };
    let out: unknown;
    if (Array.isArray(v)) out = v.map(member);
    else {
      const o = v as Record<string, unknown>;
      const copy: Record<string, unknown> = {};
      for (const k of Object.keys(o)) copy[k] = member(o[k]);
      out = copy;
    }
    this.#inlined = inlined;
    return out;
  }

  /** Defines `form` (already redacted, its members referenced); returns its id. */
  #define(form: unknown): number {
    const id = this.#refs.length;
    this.#refs.push(new LogRef(id));
    this.#defs.push(form);
    return id;
  }

  /** A long string by value: a reference, defined the first time. */
  #string(s: string): LogRef {
    let id = this.#strings.get(s);
    if (id === undefined) {
      id = this.#olderStrings.get(s);
      if (id === undefined) {
        id = this.#refs.length;
        this.#refs.push(new LogRef(id));
        this.#defs.push(s);
      }
      if (this.#strings.size >= GENERATION) {
        this.#olderStrings = this.#strings;
        this.#strings = new Map();
      }
      this.#strings.set(s, id);
    }
    return this.#refs[id]!;
  }

  #remember(key: string, id: number): void {
    if (this.#recent.get(key) === id) return;
    if (this.#recent.size >= GENERATION) {
      this.#older = this.#recent;
      this.#recent = new Map();
    }
    this.#recent.set(key, id);
  }
}
