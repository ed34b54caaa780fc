/**
 * Secret redaction for recordings and the inspector. A log is a file people attach to
 * bug reports and an inspector is a browser tab: neither may carry a Secret's data or a
 * bearer token unless the operator asked for it (`recordSecrets`).
 *
 * What is redacted, anywhere in a value:
 * - the values of `data` and `stringData` of any object with `kind: "Secret"` (keys kept,
 *   so a log still shows which keys changed);
 * - strings of the form `Bearer <token>`;
 * - string values of keys that name a credential (`token`, `bearerToken`, `password`,
 *   `authorization`, `client-key-data`, …).
 *
 * Values are copied only along the paths that change; the rest is shared.
 */
export const REDACTED = '<redacted>';

/** Names of members whose string values are credentials (compared in lower case). */
export const CREDENTIAL_KEYS: ReadonlySet<string> = new Set(['token', 'bearertoken', 'password', 'authorization', 'client-key-data', 'clientkeydata', 'secret']);
/** A bearer token in a string. */
export const BEARER = /^bearer\s+\S/i;

/** A copy of `value` with secrets replaced by `REDACTED` (the same value when nothing needed redacting). */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return BEARER.test(value) ? `Bearer ${REDACTED}` : value;
  if (typeof value !== 'object' || value === null || depth > 64 || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const r = redact(value[i], depth + 1);
      if (r !== value[i]) (out ??= [...value])[i] = r;
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  const secret = obj.kind === 'Secret';
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    let r: unknown;
    if (secret && (key === 'data' || key === 'stringData') && typeof v === 'object' && v !== null) r = blank(v as Record<string, unknown>);
    else if (typeof v === 'string' && CREDENTIAL_KEYS.has(key.toLowerCase()) && v !== '') r = REDACTED;
    else r = redact(v, depth + 1);
    if (r !== v) (out ??= { ...obj })[key] = r;
  }
  return out ?? value;
}

/** A Secret's data with each value redacted, its keys kept. */
export function blank(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.keys(data).map((k) => [k, REDACTED]));
}
