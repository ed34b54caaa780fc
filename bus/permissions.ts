import { forbidden, type Status } from '../base/status.ts';

/** The address of the key-value actor; only the apiserver may send to it. */
export const KV_ADDRESS = 'kv';
export const APISERVER_ADDRESS = 'apiserver';

/**
 * Who may send what to whom, decided from the bus-stamped sender. Only the apiserver may
 * reach the kv actor: every other component goes through the apiserver. Replies are always
 * allowed (they go back to whoever asked). Returns the Status to answer with, or null.
 */
export function checkSend(from: string, to: string, type: string): Status | null {
  if (to === KV_ADDRESS && from !== APISERVER_ADDRESS && from !== KV_ADDRESS && type !== 'reply') {
    return forbidden(`actor "${from}" may not send "${type}" to the kv actor: only the apiserver may`, { kind: 'kv', name: type });
  }
  return null;
}
