/**
 * The message log: an append-only file of length-prefixed, checksummed frames.
 *
 * ```
 * frame   = u32le bodyLength, u32le crc32(body), body
 * file    = headerFrame, entryFrame*
 * body    = protocolByte, definition*, entry        (msgpack values, one after another)
 * ```
 *
 * The first frame of every file is the header, its body plain UTF-8 JSON (so any build
 * can read it, whatever its codec); every later body holds one `LogEntry`, msgpack with
 * the bus codec's options (`bus/codec.ts`) and the structures table the header carries
 * (`LOG_STRUCTURES`: the bus's frozen table and the entries' shapes). A reader rebuilds the
 * codec from the header, never from its own table, so a log outlives a change of it.
 *
 * Interning (format 2, intern.ts): an object or array is written once per part, as a
 * definition in the body of the first entry that carries it, and everywhere after as a
 * reference (msgpack extension `REF_EXT`, its id: 0, 1, … in definition order per part).
 * References only point backwards, so a torn tail loses nothing before it. Format 1 logs
 * (no definitions) are still read.
 *
 * Crash safety: a frame is whole only if its length fits in the file and its checksum
 * matches. A reader stops at the first frame that is not whole (a torn tail after a
 * crash), keeps every entry before it and reports a warning.
 *
 * Rotation: with `maxBytes`, the recorder starts a new part when the current one would
 * grow past it. Parts are `FILE`, `FILE.1`, `FILE.2`, …, each beginning with its own
 * header (`part` = 0, 1, 2, …) so each is readable alone; `n` continues across parts.
 */
export const LOG_FORMAT_VERSION = 2;

/** Formats this build reads: 1 is 2 without interning. */
export const READABLE_FORMATS: readonly number[] = [1, 2];

/** Bytes before each frame's body: length and checksum. */
export const FRAME_HEAD = 8;

/** Who wrote the log. */
export interface LogIdentity {
  /** The process's bus identity or role (`embedded`, `node-pool-3`, …). */
  name: string;
  pid: number;
  hostname: string;
}

export interface LogHeader {
  kind: 'header';
  format: number;
  /** `PROTOCOL_VERSION` of the codec that encoded the entries. */
  protocol: number;
  /** The codec's frozen structures table, copied so the log decodes without this build. */
  structures: string[][];
  clusterId: string;
  /** Recorder start, on the recorded clock (ms since the epoch). */
  startedAt: number;
  identity: LogIdentity;
  /** Rotation part: 0 for `FILE`, k for `FILE.k`. */
  part: number;
  /** Whether Secret data and tokens were kept (`recordSecrets`). */
  secrets: boolean;
  /** The bus the run used (`Bus.transport`); absent in older logs: in-process. */
  transport?: 'in-process' | 'nats' | 'workers';
}

/**
 * One log entry. Every entry has `n`, the log sequence number (1, 2, … with no gap in one
 * process's log) and `at`, the recorded clock's time. `seq` on a `msg` is the bus's own
 * envelope sequence number. `turn` numbers the synchronous runs of the recorded process:
 * entries with the same turn happened with no microtask between them (one bus drain, one
 * timer callback), and a replay feeds them the same way, so promise continuations
 * interleave with its inputs as they did live.
 */
export type LogEntry =
  /**
   * An envelope the bus delivered (or published), or a reply the bus made up (`from` is
   * `bus`: a timeout, no recipient). `at` is when it was delivered; `sentAt` when it was
   * sent, if that differs. `lost`: a simulation lost it on the way (`kubeactor simulate`):
   * the sender sent it, no one received it; `seq` is then negative.
   */
  | { kind: 'msg'; n: number; at: number; turn?: number; seq: number; from: string; to: string; type: string; payload: unknown; corr?: string; sentAt?: number; lost?: true }
  /**
   * A clock timer fired. `actor` is the actor whose chart processed the firing (absent for
   * the host's and the bus's own timers); `timer` is the clock's timer number when known.
   */
  | { kind: 'timer'; n: number; at: number; turn?: number; actor?: string; timer?: number; event?: string }
  /**
   * An actor (re)started: the machine's id, what the replay rebuilds it from (`input`: its
   * `ActorDef.config` when it has one, else the machine's input) and the seed of its random
   * and id sources.
   */
  | { kind: 'start'; n: number; at: number; turn?: number; address: string; machine: string; input?: unknown; seed?: number; restarts?: number; events?: boolean }
  | { kind: 'stop'; n: number; at: number; turn?: number; address: string; reason: string }
  | { kind: 'error'; n: number; at: number; turn?: number; address: string; error: string; restartInMs: number }
  /** An event an actor received from outside the bus (an effect's result, a child, its host); recorded for actors observed at event level. */
  | { kind: 'event'; n: number; at: number; turn?: number; actor: string; event: { type: string; [k: string]: unknown } }
  /**
   * A checkpoint: the actor's persisted snapshot (state value, context, children) when the
   * recording ended (`replay --verify` compares the replayed actor's with it).
   */
  | { kind: 'snapshot'; n: number; at: number; turn?: number; actor: string; snapshot: unknown }
  /**
   * From here on `actor`'s clock reads `offset` ms off the recorded clock (a simulation's clock
   * skew, 0 when it ends; its timers still count durations on the recorded clock). An input
   * of the actor: what it reads from its clock is not in the messages it gets.
   */
  | { kind: 'clock'; n: number; at: number; turn?: number; actor: string; offset: number }
  /** An output that is not a bus message: a named effect run with its params, or an event sent to a child. */
  | { kind: 'out'; n: number; at: number; turn?: number; actor: string; action?: string; to?: string; data: unknown };

export type EntryKind = LogEntry['kind'];

/** An entry before the writer numbers it. */
export type NewEntry = LogEntry extends infer E ? (E extends LogEntry ? Omit<E, 'n'> : never) : never;

/** The file of rotation part `k`. */
export const partPath = (file: string, k: number): string => (k === 0 ? file : `${file}.${k}`);
