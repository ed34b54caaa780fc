/**
 * PKCS#10 certificate signing requests as Kubernetes reads them (certificates.ParseCSR and
 * x509.CertificateRequest.CheckSignature): the first PEM block must be a CERTIFICATE REQUEST
 * whose self-signature verifies. Parsing and checking a signature are pure computations;
 * nothing here reads a clock or a random source.
 */
import 'reflect-metadata';
import { Pkcs10CertificateRequest, SubjectAlternativeNameExtension } from '@peculiar/x509';
import { createPublicKey, verify } from 'node:crypto';

/** What the signers read of a request. */
export interface CertificateRequestInfo {
  /** The subject Name as the request encodes it (DER), copied into the certificate unchanged. */
  subject: Buffer;
  /** The requested key (DER SubjectPublicKeyInfo). */
  spki: Buffer;
  commonName: string;
  organizations: string[];
  /** The subjectAltName extension as requested (DER Extension), or null. */
  subjectAltName: Buffer | null;
  /** The kinds of subjectAltNames requested ("dns", "email", "ip", "url"). */
  sanTypes: string[];
}

export type ParsedRequest = { ok: true; value: CertificateRequestInfo } | { ok: false; error: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/;

/** The first PEM block of `text` (Go's pem.Decode), or null. */
export function firstPemBlock(text: string): { type: string; der: Buffer } | null {
  const m = PEM_BLOCK.exec(text);
  if (!m) return null;
  const body = m[2]!.split(/\r?\n/).filter((l) => l && !l.includes(':')).join('');
  return { type: m[1]!, der: Buffer.from(body, 'base64') };
}

/** The DER bytes of the first element inside a SEQUENCE (the signed part of a CSR or certificate). */
function firstElement(der: Buffer): Buffer {
  const headerLength = (at: number): { header: number; length: number } => {
    const b = der[at + 1]!;
    if (b < 0x80) return { header: 2, length: b };
    const n = b & 0x7f;
    let length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[at + 2 + i]!;
    return { header: 2 + n, length };
  };
  const outer = headerLength(0);
  const inner = headerLength(outer.header);
  return der.subarray(outer.header, outer.header + inner.header + inner.length);
}

const HASHES: Readonly<Record<string, string>> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Checks the request's self-signature; the error is Go's for the key type. */
function checkSignature(csr: Pkcs10CertificateRequest, der: Buffer): string | null {
  const alg = csr.signatureAlgorithm as { name: string; hash?: { name: string } };
  const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  const tbs = firstElement(der);
  const signature = Buffer.from(csr.signature);
  if (alg.name === 'Ed25519') return verify(null, tbs, key, signature) ? null : 'ed25519: invalid signature';
  const hash = HASHES[alg.hash?.name ?? ''];
  if (!hash || (alg.name !== 'ECDSA' && alg.name !== 'RSASSA-PKCS1-v1_5')) return 'x509: cannot verify signature: algorithm unimplemented';
  if (verify(hash, tbs, key, signature)) return null;
  return alg.name === 'ECDSA' ? 'x509: ECDSA verification failure' : 'crypto/rsa: verification error';
}

/** Parses a PEM CSR (spec.request, decoded from base64) and checks its signature. */
export function parseCertificateRequest(pemText: string): ParsedRequest {
  const block = firstPemBlock(pemText);
  if (!block || block.type !== 'CERTIFICATE REQUEST') return { ok: false, error: 'PEM block type must be CERTIFICATE REQUEST' };
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(block.der);
  } catch {
    return { ok: false, error: 'x509: malformed certificate request' };
  }
  let error: string | null;
  try {
    error = checkSignature(csr, block.der);
  } catch {
    error = 'x509: malformed certificate request';
  }
  if (error) return { ok: false, error };
  const san = csr.getExtension('2.5.29.17');
  const sanTypes = san instanceof SubjectAlternativeNameExtension ? san.names.items.map((n) => n.type) : [];
  return {
    ok: true,
    value: {
      subject: Buffer.from(csr.subjectName.toArrayBuffer()),
      spki: Buffer.from(csr.publicKey.rawData),
      commonName: csr.subjectName.getField('CN')[0] ?? '',
      organizations: csr.subjectName.getField('O'),
      subjectAltName: san ? Buffer.from(san.rawData) : null,
      sanTypes,
    },
  };
}
