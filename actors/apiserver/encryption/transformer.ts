/**
 * The storage transformers of an EncryptionConfiguration (upstream's prefix transformers):
 * for each resource, the first provider encrypts what is written, and every provider, with
 * each of its keys, may read. A stored encrypted value is bytes framed as upstream frames
 * them, `k8s:enc:<provider>:v1:<key name>:` then the cipher's output over the object's JSON;
 * an identity value is the object itself, as for resources no provider covers.
 *
 * A read says whether the value is stale — read with any but the first provider or key — so an
 * update that changes nothing still rewrites it (how `kubectl replace` re-encrypts every Secret
 * after a key rotation).
 */
import { parseGroupResource, type EncryptionConfig, type Provider } from './config.ts';

/** A value read back from storage: the object, and whether it should be rewritten with the current first provider. */
export interface ReadValue {
  value: unknown;
  stale: boolean;
}

/** One resource's transformer. */
export interface ValueTransformer {
  /** What to store for `value` under `key` (the key is the authenticated data of aesgcm). */
  write(value: unknown, key: string): unknown;
  /** The stored value as the object; throws with upstream's message when no provider can read it. */
  read(stored: unknown, key: string): ReadValue;
}

const ENCRYPTED = 'k8s:enc:';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const startsWith = (bytes: Uint8Array, prefix: Uint8Array): boolean => bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/** The transformers of a configuration, by storage group-resource ("secrets", "deployments.apps"); first matching entry wins. */
export class Transformers {
  readonly #byGr = new Map<string, ValueTransformer | null>();

  constructor(private readonly config: EncryptionConfig) {}

  /** One line for the start-up banner: what is written with which provider and key ("secrets: aescbc key1"). */
  describe(): string {
    return this.config.entries
      .map((e) => {
        const first = e.providers[0]!;
        return `${e.resources.join(', ')}: ${first.type === 'identity' ? 'identity (written unencrypted)' : `${first.type} key ${first.keys[0]!.name}`}`;
      })
      .join('; ');
  }

  /** The transformer for `gr`, or null when no entry lists it (stored as is). */
  for(gr: string): ValueTransformer | null {
    let t = this.#byGr.get(gr);
    if (t === undefined) this.#byGr.set(gr, (t = this.#resolve(gr)));
    return t;
  }

  #resolve(gr: string): ValueTransformer | null {
    const want = parseGroupResource(gr);
    for (const entry of this.config.entries) {
      const covers = entry.resources.some((r) => {
        const p = parseGroupResource(r);
        if (p.group === '*' && p.resource === '*') return true;
        return p.group === want.group && (p.resource === '*' || p.resource === want.resource);
      });
      if (covers) return prefixTransformer(entry.providers);
    }
    return null;
  }
}

/** The identity transformer upstream uses where nothing is configured: reads plain values, refuses encrypted ones. */
export const IDENTITY: ValueTransformer = {
  write: (value) => value,
  read(stored) {
    if (isBytes(stored)) throw new Error('identity transformer tried to read encrypted data');
    return { value: stored, stale: false };
  },
};

function prefixTransformer(providers: Provider[]): ValueTransformer {
  const framed = providers.map((p) => (p.type === 'identity' ? null : { p, prefix: encoder.encode(`${ENCRYPTED}${p.type}:v1:`) }));
  const first = providers[0]!;
  return {
    write(value, key) {
      if (first.type === 'identity') return value;
      const k = first.keys[0]!;
      const sealed = k.cipher.seal(encoder.encode(JSON.stringify(value)), key);
      const head = encoder.encode(`${ENCRYPTED}${first.type}:v1:${k.name}:`);
      const out = new Uint8Array(head.length + sealed.length);
      out.set(head);
      out.set(sealed, head.length);
      return out;
    },
    read(stored, key) {
      const errs: string[] = [];
      for (let i = 0; i < providers.length; i++) {
        const f = framed[i];
        if (!f) {
          // Identity matches every value; it only steps aside for encrypted ones.
          if (!isBytes(stored)) return { value: stored, stale: i !== 0 };
          continue;
        }
        if (!isBytes(stored) || !startsWith(stored, f.prefix)) continue;
        const got = readKeys(f.p as Extract<Provider, { keys: unknown }>, stored.subarray(f.prefix.length), key);
        if ('error' in got) errs.push(got.error);
        else return { value: got.value, stale: got.stale || i !== 0 };
      }
      if (errs.length === 1) throw new Error(errs[0]);
      if (errs.length > 1) throw new Error(`[${errs.join(', ')}]`);
      throw new Error('no matching prefix found');
    },
  };
}

function readKeys(p: Extract<Provider, { keys: unknown }>, data: Uint8Array, aad: string): { value: unknown; stale: boolean } | { error: string } {
  const errs: string[] = [];
  for (let j = 0; j < p.keys.length; j++) {
    const k = p.keys[j]!;
    const prefix = encoder.encode(`${k.name}:`);
    if (!startsWith(data, prefix)) continue;
    try {
      const plain = k.cipher.open(data.subarray(prefix.length), aad);
      return { value: JSON.parse(decoder.decode(plain)), stale: j !== 0 };
    } catch (e) {
      errs.push((e as Error).message);
    }
  }
  if (errs.length === 1) return { error: errs[0]! };
  if (errs.length > 1) return { error: `[${errs.join(', ')}]` };
  return { error: `no matching key was found for the provided ${p.type === 'secretbox' ? 'Secretbox' : 'AES'} transformer` };
}
