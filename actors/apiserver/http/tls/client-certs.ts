/**
 * Certificates signed by the cluster CA for clients: what kube-controller-manager's signers
 * issue for an approved CertificateSigningRequest (its PermissiveSigningPolicy: the request's
 * subject and subjectAltNames, the usages asked for, backdated five minutes, never past the
 * CA), and what `kubeactor kubeconfig --user` makes for a new user. The front trusts them
 * (x509.ts): CN is the user, each O a group.
 */
import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { EXT_KEY_USAGE_OIDS, KEY_USAGE_BITS } from '../../../../api/certificates/usages.ts';
import { authorityKeyId, certificate, pem } from './cert.ts';
import { bits, extension, oid, seq, userName } from './der.ts';

/** The CA as a signer: its certificate (PEM), private key, and what a certificate it signs names of it. */
export interface CertificateAuthority {
  cert: string;
  key: KeyObject;
  /** The CA's subject Name, DER, exactly as its certificate has it (a chain matches it byte for byte). */
  subject: Buffer;
  spki: Buffer;
  notAfter: Date;
}

/** The CA from its PEM certificate and PKCS#8 key (kube-controller-manager's --cluster-signing-cert-file and -key-file). */
export function certificateAuthority(caCert: string, caKey: string): CertificateAuthority {
  const x = new X509Certificate(caCert);
  return {
    cert: caCert,
    key: createPrivateKey(caKey),
    subject: Buffer.from(x.subjectName.toArrayBuffer()),
    spki: Buffer.from(x.publicKey.rawData),
    notAfter: x.notAfter,
  };
}

/** kube-controller-manager's --cluster-signing-duration default: a year. */
export const DEFAULT_SIGNING_DURATION_MS = 365 * 24 * 3600 * 1000;
const BACKDATE_MS = 5 * 60 * 1000;
const SHORT_MS = 8 * 3600 * 1000;

/** The validity PermissiveSigningPolicy gives a certificate of `ttlMs` signed at `now`, or why it cannot sign. */
export function validity(ca: CertificateAuthority, now: number, ttlMs: number): { notBefore: Date; notAfter: Date } | { error: string } {
  const notBefore = new Date(now - BACKDATE_MS);
  // A short-lived certificate keeps its whole lifetime; a long one ends as much earlier as it starts.
  let notAfter = new Date(ttlMs < SHORT_MS ? now + ttlMs : now + ttlMs - BACKDATE_MS);
  if (notAfter >= ca.notAfter) notAfter = ca.notAfter;
  if (notBefore >= ca.notAfter) return { error: `the signer has expired: NotAfter=${ca.notAfter.toISOString()}` };
  if (now >= ca.notAfter.getTime()) return { error: `refusing to sign a certificate that expired in the past: NotAfter=${ca.notAfter.toISOString()}` };
  return { notBefore, notAfter };
}

/** The KeyUsage extension of the usages' bits (none when no usage is a key usage). */
function keyUsageExtension(usages: readonly string[]): Buffer[] {
  let mask = 0;
  for (const u of usages) if (KEY_USAGE_BITS[u] !== undefined) mask |= 1 << KEY_USAGE_BITS[u];
  if (mask === 0) return [];
  // Bit 0 is the first byte's most significant bit.
  const bytes = mask & 0x100 ? Buffer.from([reverse(mask & 0xff), 0x80]) : Buffer.from([reverse(mask & 0xff)]);
  return [extension('2.5.29.15', true, bits(bytes))];
}

const reverse = (b: number): number => {
  let r = 0;
  for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 0x80 >> i;
  return r;
};

function extKeyUsageExtension(usages: readonly string[]): Buffer[] {
  const oids = [...new Set(usages.map((u) => EXT_KEY_USAGE_OIDS[u]).filter((o): o is string => o !== undefined))];
  return oids.length ? [extension('2.5.29.37', false, seq(...oids.map(oid)))] : [];
}

/** What one signed certificate certifies. */
export interface SigningRequest {
  /** The subject Name (DER), as requested. */
  subject: Buffer;
  /** The key certified (DER SubjectPublicKeyInfo). */
  spki: Buffer;
  /** certificates.k8s.io usages ("client auth", "digital signature", …). */
  usages: readonly string[];
  /** The subjectAltName extension as requested (DER), if any. */
  subjectAltName?: Buffer | null;
  notBefore: Date;
  notAfter: Date;
}

/** Signs one end-entity certificate with the CA; PEM. */
export function signCertificate(ca: CertificateAuthority, r: SigningRequest): string {
  const extensions = [
    ...keyUsageExtension(r.usages),
    ...extKeyUsageExtension(r.usages),
    extension('2.5.29.19', true, seq()), // basicConstraints CA:false
    authorityKeyId(ca.spki),
    ...(r.subjectAltName ? [r.subjectAltName] : []),
  ];
  const der = certificate({ subject: r.subject, issuer: ca.subject, spki: r.spki, signer: ca.key, issuerSpki: ca.spki, extensions, notBefore: r.notBefore, notAfter: r.notAfter, serial: randomBytes(16) });
  return pem('CERTIFICATE', der);
}

/** The usages of a user's client certificate, as kubeadm gives its admin.conf. */
export const CLIENT_USAGES: readonly string[] = ['digital signature', 'key encipherment', 'client auth'];

/** A new key (ECDSA P-256) and a client certificate for it: CN = user, O = each group. */
export function issueClientCertificate(ca: CertificateAuthority, p: { user: string; groups: readonly string[]; ttlMs: number; now: number }): { cert: string; key: string } {
  const v = validity(ca, p.now, p.ttlMs);
  if ('error' in v) throw new Error(v.error);
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const cert = signCertificate(ca, { subject: userName(p.user, p.groups), spki, usages: CLIENT_USAGES, ...v });
  return { cert, key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
