import { redact } from '../record/redact.ts';

/** A context or event fit for a browser tab: secrets redacted (see actors/record/redact.ts). */
export const sanitize = (value: unknown): unknown => redact(value);

/**
 * JSON that never throws: cycles become `"[Circular]"`, functions `{type: name}` (as the
 * Stately inspector shows them), bigints strings, actor refs their ids, byte arrays a length.
 * An object reached twice without a cycle (shared, as contexts often share one list) is
 * written each time.
 */
export function safeJson(value: unknown): string {
  // The objects from the root to the one being written: only these make a cycle.
  const ancestors: object[] = [];
  return JSON.stringify(value, function (this: object, _key, v: unknown) {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function') return { type: v.name };
    if (typeof v !== 'object' || v === null) return v;
    if (ArrayBuffer.isView(v)) return `<${v.byteLength} bytes>`;
    if ('sessionId' in v && 'send' in v && typeof (v as { send: unknown }).send === 'function') return { id: (v as { id?: string }).id };
    // `this` is the object whose key is being written; a replacement we returned is not on the path.
    const at = ancestors.lastIndexOf(this);
    if (at >= 0) ancestors.length = at + 1;
    if (ancestors.includes(v)) return '[Circular]';
    ancestors.push(v);
    return v;
  });
}
