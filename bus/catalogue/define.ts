import type { Static, TSchema } from '@sinclair/typebox';

/**
 * One entry of the message catalogue: the payload schema and, for requests, the schema of
 * the reply's value. The schema is both the TypeScript type (via `Static`) and the runtime
 * check applied to messages that arrive from outside the process.
 */
export interface MessageDef<P extends TSchema = TSchema, R extends TSchema | undefined = TSchema | undefined> {
  payload: P;
  reply: R;
}

export type MessageTable = Record<string, MessageDef>;

/** A fact or command with no reply. */
export const message = <P extends TSchema>(payload: P): MessageDef<P, undefined> => ({ payload, reply: undefined });

/** A request whose reply carries a value of schema `reply` (or an error Status). */
export const request = <P extends TSchema, R extends TSchema>(payload: P, reply: R): MessageDef<P, R> => ({ payload, reply });

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * Merges the per-area tables into the one catalogue, failing fast on a type defined twice
 * (a silent override would let two components disagree about a payload).
 */
export function mergeTables<T extends MessageTable[]>(...tables: T): UnionToIntersection<T[number]> {
  const out: MessageTable = {};
  for (const t of tables) {
    for (const [type, def] of Object.entries(t)) {
      if (type in out) throw new Error(`message catalogue: type "${type}" is defined twice`);
      if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/.test(type)) throw new Error(`message catalogue: type "${type}" is not a lower-case dotted name`);
      out[type] = def;
    }
  }
  return out as UnionToIntersection<T[number]>;
}

export type PayloadOfDef<D> = D extends MessageDef<infer P, TSchema | undefined> ? Static<P> : never;
export type ReplyOfDef<D> = D extends MessageDef<TSchema, infer R> ? (R extends TSchema ? Static<R> : never) : never;
