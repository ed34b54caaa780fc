import { redact } from '../record/redact.ts';

/** A context or event fit for a browser tab: secrets redacted (see actors/record/redact.ts). */
export const sanitize = (value: unknown): unknown => redact(value);

/**
 * JSON that never throws: cycles become `"[Circular]"`, functions `{type: name}` (as the
 * Stately inspector shows them), bigints strings, actor refs their ids, byte arrays a length.
 */
export function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, function (_key, v: unknown) {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function') return { type: v.name };
    if (typeof v !== 'object' || v === null) return v;
    if (ArrayBuffer.isView(v)) return `<${v.byteLength} bytes>`;
    if ('sessionId' in v && 'send' in v && typeof (v as { send: unknown }).send === 'function') return { id: (v as { id?: string }).id };
    if (seen.has(v)) return '[Circular]';
    seen.add(v);
    return v;
  });
}
