import { addExtension } from 'msgpackr';
import { redact, REDACTED } from './redact.ts';

/**
 * Interning for the message log (format 2, see format.ts): every object or array big
 * enough to be worth it is written once per file part, as a definition, and referenced by
 * its id wherever it appears again — a pod's spec travels in a kv.txn, a kv.events, a
 * watch event per watcher, a kubelet's start and the pod actor's input, and is written
 * once. Identity is by content (hash-consing: an object's key is built from its members'
 * keys, an interned member counting as its id), so equal objects share an id however they
 * were copied; objects served from storage (`metadata.resourceVersion` set, immutable by
 * the apiserver's contract) are also remembered by identity, so the next message carrying
 * the same object costs one WeakMap lookup instead of a walk.
 *
 * The same single walk redacts (redact.ts's rules), so each distinct object is redacted
 * once and no payload is walked twice.
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

/** Objects and arrays whose key is shorter than this stay inline (a reference costs 3-6 bytes). */
const MIN_KEY = 40;
/** Content keys remembered per generation; two generations are kept (an approximate LRU bound on memory). */
const GENERATION = 200_000;
const MAX_DEPTH = 64;
const CREDENTIAL_KEYS = new Set(['token', 'bearertoken', 'password', 'authorization', 'client-key-data', 'clientkeydata', 'secret']);
const BEARER = /^bearer\s+\S/i;

const credentialMemo = new Map<string, boolean>();
function isCredentialKey(key: string): boolean {
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

/** What one entry became: the definitions it introduces (in id order), then the entry with references. */
export interface Interned {
  defs: unknown[];
  value: unknown;
}

/** The writer's side: assigns ids, remembers content and stored objects, redacts on the way. */
export class Interner {
  #recent = new Map<string, number>();
  #older = new Map<string, number>();
  #byIdentity = new WeakMap<object, LogRef>();
  #refs: LogRef[] = [];
  #defs: unknown[] = [];
  #key = '';
  #opaque = 0;

  /** `redacting`: apply redact.ts's rules (Secret data, bearer tokens, credential keys). */
  constructor(private readonly redacting: boolean) {}

  /** Ids defined so far in this part. */
  get size(): number {
    return this.#refs.length;
  }

  /** Forgets everything: a new part starts with an empty table. */
  reset(): void {
    this.#recent = new Map();
    this.#older = new Map();
    this.#byIdentity = new WeakMap();
    this.#refs = [];
  }

  /** Interns the payloads of `entry` (its own fields stay inline). */
  intern(entry: Record<string, unknown>): Interned {
    this.#defs = [];
    const out: Record<string, unknown> = {};
    for (const k in entry) {
      const v = entry[k];
      out[k] = typeof v === 'object' && v !== null ? this.#walk(v, '', 0, false) : v;
    }
    return { defs: this.#defs, value: out };
  }

  /** `name`: the member name `v` is under ('' in an array). Sets `#key` to v's content key. */
  #walk(v: unknown, name: string, depth: number, stored: boolean): unknown {
    switch (typeof v) {
      case 'string': {
        let s = v;
        if (this.redacting && s !== '') {
          if (name !== '' && isCredentialKey(name)) s = REDACTED;
          else if ((s.charCodeAt(0) | 0x20) === 0x62 && BEARER.test(s)) s = `Bearer ${REDACTED}`;
        }
        this.#key = JSON.stringify(s);
        return s;
      }
      case 'number':
      case 'boolean':
      case 'bigint':
        this.#key = typeof v === 'bigint' ? `${v}n` : String(v);
        return v;
      case 'undefined':
        this.#key = 'u';
        return v;
      case 'object':
        if (v === null) {
          this.#key = 'null';
          return v;
        }
        break;
      default:
        this.#key = `!${this.#opaque++}`;
        return v;
    }
    const obj = v as object;
    if (depth > MAX_DEPTH || ArrayBuffer.isView(obj) || !(Array.isArray(obj) || isPlain(obj))) {
      // Not a JSON-like value: written inline as it was, redacted by the general rules, and never equal to another.
      this.#key = `!${this.#opaque++}`;
      return this.redacting && !ArrayBuffer.isView(obj) ? redact(obj, depth) : obj;
    }
    const o = obj as Record<string, unknown>;
    // Objects served from storage, and their members, are immutable (the apiserver's contract): remembered by identity.
    stored ||= !Array.isArray(obj) && typeof o.metadata === 'object' && o.metadata !== null && typeof (o.metadata as { resourceVersion?: unknown }).resourceVersion === 'string';
    // A frozen object cannot change either (its members may: they are not remembered for it).
    const immutable = stored || Object.isFrozen(obj);
    const remembered = immutable ? this.#byIdentity.get(obj) : undefined;
    if (remembered !== undefined) {
      this.#key = `#${remembered.id}`;
      return remembered;
    }
    let out: unknown;
    let key: string;
    if (Array.isArray(obj)) {
      const arr = new Array<unknown>(obj.length);
      key = '[';
      for (let i = 0; i < obj.length; i++) {
        arr[i] = this.#walk(obj[i], '', depth + 1, stored);
        key += `${this.#key},`;
      }
      out = arr;
      key += ']';
    } else {
      const secret = this.redacting && o.kind === 'Secret';
      const copy: Record<string, unknown> = {};
      key = '{';
      for (const k of Object.keys(o)) {
        let c = o[k];
        if (secret && (k === 'data' || k === 'stringData') && typeof c === 'object' && c !== null) c = blank(c as Record<string, unknown>);
        copy[k] = this.#walk(c, k, depth + 1, stored);
        key += `${k.length}:${k}=${this.#key};`;
      }
      out = copy;
      key += '}';
    }
    if (key.length < MIN_KEY) {
      this.#key = key;
      return out;
    }
    let id = this.#recent.get(key);
    if (id === undefined) {
      id = this.#older.get(key);
      if (id === undefined) {
        id = this.#refs.length;
        this.#refs.push(new LogRef(id));
        this.#defs.push(out);
      }
      this.#remember(key, id);
    }
    const ref = this.#refs[id]!;
    if (immutable) this.#byIdentity.set(obj, ref);
    this.#key = `#${id}`;
    return ref;
  }

  #remember(key: string, id: number): void {
    if (this.#recent.size >= GENERATION) {
      this.#older = this.#recent;
      this.#recent = new Map();
    }
    this.#recent.set(key, id);
  }
}

function blank(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.keys(data).map((k) => [k, REDACTED]));
}
