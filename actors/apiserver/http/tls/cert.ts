import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../../data-dir.ts';
import { bits, explicit, extension, implicit, name, oid, seq, time, tlv, uint } from './der.ts';

/** PEM-encoded material for the front's TLS and for the kubeconfig's certificate-authority-data. */
export interface FrontTls {
  caCert: string;
  cert: string;
  key: string;
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const RSA_SHA256 = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05, Buffer.alloc(0)));
const YEAR_MS = 365 * 24 * 3600 * 1000;

const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

const keyId = (spki: Buffer): Buffer => createHash('sha1').update(spki).digest();

/** Builds and signs one X.509 v3 certificate (SHA-256 with the signer's ECDSA P-256 or RSA key). */
function certificate(p: { subject: string; issuer: string; publicKey: KeyObject; signer: KeyObject; issuerKey: KeyObject; ca: boolean; now: Date }): Buffer {
  const algorithm = p.signer.asymmetricKeyType === 'rsa' ? RSA_SHA256 : ECDSA_SHA256;
  const spki = p.publicKey.export({ type: 'spki', format: 'der' });
  const issuerSpki = p.issuerKey.export({ type: 'spki', format: 'der' });
  const exts = p.ca
    ? [
        extension('2.5.29.19', true, seq(Buffer.from([0x01, 0x01, 0xff]))), // basicConstraints CA:true
        extension('2.5.29.15', true, bits(Buffer.from([0x86]))), // keyUsage digitalSignature, keyCertSign, cRLSign
        extension('2.5.29.14', false, Buffer.concat([Buffer.from([0x04, 20]), keyId(spki)])), // subjectKeyIdentifier
      ]
    : [
        extension('2.5.29.19', true, seq()),
        extension('2.5.29.15', true, bits(Buffer.from([0xa0]))), // digitalSignature, keyEncipherment
        extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
        extension('2.5.29.35', false, seq(implicit(0, keyId(issuerSpki)))), // authorityKeyIdentifier
        // subjectAltName: IP 127.0.0.1 and DNS localhost (Go verifies SANs only, never the CN).
        extension('2.5.29.17', false, seq(implicit(7, Buffer.from([127, 0, 0, 1])), implicit(2, Buffer.from('localhost')))),
      ];
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))),
    uint(randomBytes(16)),
    algorithm,
    name(p.issuer),
    seq(time(new Date(p.now.getTime() - 3600_000)), time(new Date(p.now.getTime() + 10 * YEAR_MS))),
    name(p.subject),
    spki,
    explicit(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, p.signer);
  return seq(tbs, algorithm, bits(signature));
}

/** A fresh CA and a server certificate for 127.0.0.1 / localhost signed by it. */
export function generateTls(now = new Date()): FrontTls {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caDer = certificate({ subject: 'kubeactor-ca', issuer: 'kubeactor-ca', publicKey: ca.publicKey, signer: ca.privateKey, issuerKey: ca.publicKey, ca: true, now });
  const serverDer = certificate({ subject: 'kubeactor-apiserver', issuer: 'kubeactor-ca', publicKey: server.publicKey, signer: ca.privateKey, issuerKey: ca.publicKey, ca: false, now });
  return {
    caCert: pem('CERTIFICATE', caDer),
    cert: pem('CERTIFICATE', serverDer),
    key: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * A self-signed RSA 2048 server certificate named `subject` (for 127.0.0.1 / localhost): a
 * placeholder served where no real certificate applies, as an ingress controller's default
 * certificate. RSA because a TLS server's default certificate keeps its key type's slot when
 * SNI switches context: an ECDSA default would shadow every RSA certificate chosen by SNI.
 */
export function generateSelfSigned(subject: string, now = new Date()): { cert: string; key: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = certificate({ subject, issuer: subject, publicKey: pair.publicKey, signer: pair.privateKey, issuerKey: pair.publicKey, ca: false, now });
  return { cert: pem('CERTIFICATE', der), key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Reads the TLS material from `<dataDir>/pki`, generating and storing it on first use. */
export async function loadOrCreateTls(dataDir: string): Promise<FrontTls> {
  const dir = join(dataDir, 'pki');
  const files = { caCert: join(dir, 'ca.crt'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key') };
  try {
    const [caCert, cert, key] = await Promise.all([readFile(files.caCert, 'utf8'), readFile(files.cert, 'utf8'), readFile(files.key, 'utf8')]);
    createPrivateKey(key);
    return { caCert, cert, key };
  } catch {
    const tls = generateTls();
    ensurePrivateDir(dir);
    // The data directory is private, certificates included (only their owner runs the front).
    await writeFile(files.caCert, tls.caCert, { mode: PRIVATE_FILE_MODE });
    await writeFile(files.cert, tls.cert, { mode: PRIVATE_FILE_MODE });
    await writeFile(files.key, tls.key, { mode: PRIVATE_FILE_MODE });
    return tls;
  }
}
