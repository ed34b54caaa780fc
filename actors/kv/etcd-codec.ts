import { ClientClosedError, GRPCDeadlineExceededError, GRPCUnavailableError, type IKeyValue } from 'etcd3';
import { compactedError, futureRevisionError, KvError, type KvRecord } from './backend.ts';

/**
 * How the kv's keys and values look in etcd. The kv's keys all live under `root` (the
 * apiserver's `/registry`); in etcd they live under `prefix` instead (kube-apiserver's
 * `--etcd-prefix`, default `/registry` too, so `etcdctl get /registry/pods/default/web` reads
 * what kube-apiserver would have written there). Values are JSON text, as kube-apiserver
 * stores JSON objects; bytes (encrypted values: `k8s:enc:…`) are stored as they are.
 */
export class EtcdLayout {
  readonly #root: string;
  readonly #prefix: string;
  readonly #prefixBytes: number;

  constructor(root: string, prefix: string) {
    this.#root = root;
    this.#prefix = prefix;
    this.#prefixBytes = Buffer.byteLength(prefix);
  }

  /** The etcd key of a kv key (or key prefix); 'bad-request' outside the root. */
  key(kvKey: string): Buffer {
    if (!kvKey.startsWith(this.#root)) throw new KvError('bad-request', `kv key "${kvKey}" is outside this store's root "${this.#root}"`);
    return Buffer.from(this.#prefix + kvKey.slice(this.#root.length));
  }

  /** The kv key of an etcd key read back (always under the prefix: every range and watch is). */
  kvKey(etcdKey: Buffer): string {
    return this.#root + etcdKey.subarray(this.#prefixBytes).toString('utf8');
  }

  /** The whole store: the etcd keys of the root. */
  get all(): Buffer {
    return this.key(this.#root);
  }

  record(kv: IKeyValue): KvRecord {
    return {
      key: this.kvKey(kv.key),
      value: decodeValue(kv.value),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
      version: Number(kv.version),
    };
  }
}

/** etcd's range end for "every key starting with `prefix`": the prefix with its last byte incremented. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff (or empty): to the end of the keyspace.
  return Buffer.from([0]);
}

/** The keys starting with `prefix` as an etcd range (the empty prefix: every key, which etcd spells 0x00 to 0x00). */
export function span(prefix: Buffer): { key: Buffer; range_end: Buffer } {
  return prefix.length === 0 ? { key: Buffer.from([0]), range_end: Buffer.from([0]) } : { key: prefix, range_end: prefixEnd(prefix) };
}

const K8S_MARKER = Buffer.from('k8s:');

export function encodeValue(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const text = JSON.stringify(value);
  // JSON has no text for undefined: refuse it as etcd refuses nothing, rather than store garbage.
  if (text === undefined) throw new KvError('bad-request', 'kv txn: a value must be JSON data or bytes');
  return Buffer.from(text);
}

export function decodeValue(raw: Buffer): unknown {
  // kube-apiserver's own marker for non-JSON values (k8s:enc:… ciphertext, k8s\0 protobuf): keep the bytes.
  if (raw.length >= K8S_MARKER.length && raw.subarray(0, K8S_MARKER.length).equals(K8S_MARKER)) return new Uint8Array(raw);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return new Uint8Array(raw);
  }
}

/** What kind of etcd failure an error is. */
export function etcdFailure(err: unknown): 'compacted' | 'future' | 'unavailable' | 'closed' | 'other' {
  const e = err as { name?: string; message?: string; code?: number } | undefined;
  const msg = e?.message ?? String(err);
  if (msg.includes('required revision has been compacted')) return 'compacted';
  if (msg.includes('required revision is a future revision')) return 'future';
  if (err instanceof ClientClosedError) return 'closed';
  // etcd3's per-member circuit breaker refusing a member that failed three times in a row.
  if (e?.name === 'BrokenCircuitError' || msg.includes('circuit breaker is open')) return 'unavailable';
  // gRPC UNAVAILABLE / DEADLINE_EXCEEDED, and etcd's own "try again" answers during an election.
  if (
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCDeadlineExceededError ||
    e?.code === 14 ||
    e?.code === 4 ||
    /leader changed|no leader|request timed out|too many requests|not capable|stopped/.test(msg)
  ) {
    return 'unavailable';
  }
  return 'other';
}

/** The KvError of an etcd failure; `revision` is the revision asked for, `known` what the backend knows. */
export function kvErrorOf(err: unknown, revision: number, known: { compact: number; current: number }): KvError {
  if (err instanceof KvError) return err;
  const msg = (err as Error)?.message ?? String(err);
  switch (etcdFailure(err)) {
    case 'compacted':
      return compactedError(revision, known.compact);
    case 'future':
      return futureRevisionError(revision, known.current);
    case 'closed':
      return new KvError('closed', 'kv store closed');
    case 'unavailable':
      return new KvError('unavailable', `etcd: ${msg}`);
    default:
      return new KvError('internal', `etcd: ${msg}`);
  }
}
