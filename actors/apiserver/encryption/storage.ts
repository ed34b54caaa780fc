/**
 * Encryption at rest in the apiserver's storage layer (etcd3 store's transformer): writes of
 * covered resources go to the kv actor as ciphertext (store.ts), and every record read back
 * — gets, a deletion's previous record, the cache's range and watch events — is decoded
 * synchronously where it is read, before the verbs or the watch cache see it (no extra
 * promise step: the order of an apiserver's work stays what a recording holds). So the kv,
 * its watch stream, the bus and a recording carry only ciphertext, and the cache holds the
 * objects.
 *
 * A value no configured provider can read does not fail the whole read: its record carries
 * an `Unreadable` with the Status the request gets (upstream's 500 "unable to transform
 * key"), and the verbs answer with it (store.ts, the watch cache).
 */
import type { KvEvent, KvRecord } from '../../../bus/catalogue/kv.ts';
import { internalError, type Status } from '../../../base/status.ts';
import { parseStorageKey } from '../storage-keys.ts';
import { IDENTITY, type Transformers, type ValueTransformer } from './transformer.ts';

/** A stored value that could not be decrypted: what a request for it is answered with. */
export class Unreadable {
  constructor(readonly status: Status) {}
}

/** A record as read: `stale` when it should be rewritten with the first provider (see transformer.ts). */
export interface DecodedRecord extends KvRecord {
  stale?: boolean;
}

/** Reads and writes values through the configured transformers. */
export class ValueCodec {
  constructor(private readonly transformers: Transformers | null) {}

  #for(key: string): ValueTransformer {
    const gr = parseStorageKey(key)?.gr;
    return (gr !== undefined && this.transformers?.for(gr)) || IDENTITY;
  }

  encode(key: string, value: unknown): unknown {
    // Every write passes here: without a configuration there is no key to parse.
    if (!this.transformers) return value;
    return this.#for(key).write(value, key);
  }

  decode<R extends KvRecord>(rec: R): R & DecodedRecord {
    // The common case: nothing encrypted, nothing configured — the record as it came.
    if (!this.transformers && !(rec.value instanceof Uint8Array)) return rec;
    try {
      const { value, stale } = this.#for(rec.key).read(rec.value, rec.key);
      return stale ? { ...rec, value, stale } : value === rec.value ? rec : { ...rec, value };
    } catch (e) {
      return { ...rec, value: new Unreadable(internalError(`unable to transform key ${JSON.stringify(rec.key)}: ${(e as Error).message}`)) };
    }
  }

  decodeEvents(events: KvEvent[]): KvEvent[] {
    if (!this.transformers && !events.some((e) => e.kv.value instanceof Uint8Array || e.prev?.value instanceof Uint8Array)) return events;
    return events.map((e) => ({ ...e, kv: this.decode(e.kv), ...(e.prev ? { prev: this.decode(e.prev) } : {}) }));
  }
}
