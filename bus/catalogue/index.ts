import type { Envelope } from '../../base/envelope.ts';
import { mergeTables, type PayloadOfDef, type ReplyOfDef } from './define.ts';
import { sysMessages } from './sys.ts';
import { kvMessages } from './kv.ts';
import { apiMessages } from './api.ts';
import { logMessages } from './logs.ts';
import { streamMessages } from './streams.ts';
import { schedulerMessages } from './scheduler.ts';
import { admissionMessages } from './admission.ts';
import { metricsMessages } from './metrics.ts';

/**
 * The message catalogue: the one source of truth for every payload on the bus. Each area
 * keeps its table in its own file; they are merged here, failing fast on duplicates.
 */
export const catalogue = mergeTables(sysMessages, kvMessages, apiMessages, logMessages, streamMessages, schedulerMessages, admissionMessages, metricsMessages);

export type Catalogue = typeof catalogue;
export type MessageType = keyof Catalogue & string;
export type PayloadOf<T extends MessageType> = PayloadOfDef<Catalogue[T]>;
/** The message types that expect a reply. */
export type RequestType = { [K in MessageType]: Catalogue[K]['reply'] extends undefined ? never : K }[MessageType];
export type ReplyOf<T extends RequestType> = ReplyOfDef<Catalogue[T]>;

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(catalogue, type);
}

/**
 * Narrows an envelope to the catalogue's payload for `type`. Sound because the bus delivers a
 * type only with a payload the catalogue admits for it: checked on arrival from another process,
 * typed by `send` within one.
 */
export function isMessage<T extends MessageType>(env: Envelope, type: T): env is Envelope<PayloadOf<T>> {
  return env.type === type;
}
