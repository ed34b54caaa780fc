/**
 * The ingress controller's certificates: TLS contexts from `kubernetes.io/tls` Secrets (tls.crt
 * and tls.key, the key matching the certificate), and the self-signed default certificate a
 * host is served with when it has no Secret or its Secret does not parse — ingress-nginx's
 * "Kubernetes Ingress Controller Fake Certificate".
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { generateSelfSigned } from '../apiserver/http/tls/cert.ts';

export const DEFAULT_CERTIFICATE_SUBJECT = 'Kubernetes Ingress Controller Fake Certificate';

export type Certificate = { ok: true; context: SecureContext; subject: string } | { ok: false; reason: string };

/** A fresh default certificate (one per controller process). */
export function defaultCertificate(): { cert: string; key: string } {
  return generateSelfSigned(DEFAULT_CERTIFICATE_SUBJECT);
}

const field = (s: Secret, key: string): string | undefined => {
  const b64 = s.data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
};

/** The TLS context a Secret gives, or why it gives none. */
export function certificateFrom(secret: Secret | undefined, name: string): Certificate {
  if (!secret) return { ok: false, reason: `secret "${name}" not found` };
  const cert = field(secret, 'tls.crt');
  const key = field(secret, 'tls.key');
  if (!cert || !key) return { ok: false, reason: `secret "${name}" has no ${cert ? 'tls.key' : 'tls.crt'}` };
  try {
    const x509 = new X509Certificate(cert);
    const pk = createPrivateKey(key);
    if (!x509.checkPrivateKey(pk)) return { ok: false, reason: `secret "${name}": tls.key does not match the certificate in tls.crt` };
    return { ok: true, context: createSecureContext({ cert, key }), subject: x509.subject };
  } catch (err) {
    return { ok: false, reason: `secret "${name}" does not hold a valid certificate and key: ${(err as Error).message}` };
  }
}
