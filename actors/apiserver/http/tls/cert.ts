import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../../data-dir.ts';
import { bits, explicit, extension, implicit, name, oid, seq, time, tlv, uint } from './der.ts';

/** PEM-encoded material for the front's TLS and for the kubeconfig's certificate-authority-data. */
export interface FrontTls {
  caCert: string;
  /**
   * The CA's private key (PKCS#8): kube-controller-manager's --cluster-signing-key-file, with
   * which client certificates are issued (client-certs.ts). Kept in the data directory only.
   */
  caKey: string;
  cert: string;
  key: string;
}

/** The CA's subject CN. */
export const CA_NAME = 'kubeactor-ca';

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const RSA_SHA256 = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05, Buffer.alloc(0)));
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** PEM armour of DER bytes. */
export const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

const keyId = (spki: Buffer): Buffer => createHash('sha1').update(spki).digest();

/** What one certificate says: the signing, the names, the key it certifies and its lifetime. */
export interface CertificateParams {
  /** DER Name of the subject (der.ts `name`, or a CSR's subject as it was sent). */
  subject: Buffer;
  /** DER Name of the issuer. */
  issuer: Buffer;
  /** DER SubjectPublicKeyInfo of the key certified. */
  spki: Buffer;
  /** The issuer's private key (ECDSA P-256 or RSA; SHA-256). */
  signer: KeyObject;
  /** DER SubjectPublicKeyInfo of the issuer's key (for the authority key identifier). */
  issuerSpki: Buffer;
  /** The extensions, DER (der.ts `extension`). */
  extensions: Buffer[];
  notBefore: Date;
  notAfter: Date;
  /** Serial number bytes (default 16 random bytes). */
  serial?: Buffer;
}

/** Builds and signs one X.509 v3 certificate, DER. */
export function certificate(p: CertificateParams): Buffer {
  const algorithm = p.signer.asymmetricKeyType === 'rsa' ? RSA_SHA256 : ECDSA_SHA256;
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))),
    uint(p.serial ?? randomBytes(16)),
    algorithm,
    p.issuer,
    seq(time(p.notBefore), time(p.notAfter)),
    p.subject,
    p.spki,
    explicit(3, seq(...p.extensions)),
  );
  const signature = sign('sha256', tbs, p.signer);
  return seq(tbs, algorithm, bits(signature));
}

const spkiOf = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

/** The extensions of a CA certificate. */
function caExtensions(spki: Buffer): Buffer[] {
  return [
    extension('2.5.29.19', true, seq(Buffer.from([0x01, 0x01, 0xff]))), // basicConstraints CA:true
    extension('2.5.29.15', true, bits(Buffer.from([0x86]))), // keyUsage digitalSignature, keyCertSign, cRLSign
    extension('2.5.29.14', false, Buffer.concat([Buffer.from([0x04, 20]), keyId(spki)])), // subjectKeyIdentifier
  ];
}

/** The extensions of the front's serving certificate. */
function serverExtensions(issuerSpki: Buffer): Buffer[] {
  return [
    extension('2.5.29.19', true, seq()),
    extension('2.5.29.15', true, bits(Buffer.from([0xa0]))), // digitalSignature, keyEncipherment
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
    authorityKeyId(issuerSpki),
    // subjectAltName: IP 127.0.0.1 and DNS localhost (Go verifies SANs only, never the CN).
    extension('2.5.29.17', false, seq(implicit(7, Buffer.from([127, 0, 0, 1])), implicit(2, Buffer.from('localhost')))),
  ];
}

/** The authorityKeyIdentifier extension naming the issuer's key. */
export const authorityKeyId = (issuerSpki: Buffer): Buffer => extension('2.5.29.35', false, seq(implicit(0, keyId(issuerSpki))));

/** A certificate's validity from an hour before `now` (clocks drift) for ten years. */
const tenYears = (now: Date) => ({ notBefore: new Date(now.getTime() - 3600_000), notAfter: new Date(now.getTime() + 10 * YEAR_MS) });

/** A fresh CA and a server certificate for 127.0.0.1 / localhost signed by it. */
export function generateTls(now = new Date()): FrontTls {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caSpki = spkiOf(ca.publicKey);
  const caName = name(CA_NAME);
  const caDer = certificate({ subject: caName, issuer: caName, spki: caSpki, signer: ca.privateKey, issuerSpki: caSpki, extensions: caExtensions(caSpki), ...tenYears(now) });
  const serverDer = certificate({ subject: name('kubeactor-apiserver'), issuer: caName, spki: spkiOf(server.publicKey), signer: ca.privateKey, issuerSpki: caSpki, extensions: serverExtensions(caSpki), ...tenYears(now) });
  return {
    caCert: pem('CERTIFICATE', caDer),
    caKey: ca.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
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
  const spki = spkiOf(pair.publicKey);
  const der = certificate({ subject: name(subject), issuer: name(subject), spki, signer: pair.privateKey, issuerSpki: spki, extensions: serverExtensions(spki), ...tenYears(now) });
  return { cert: pem('CERTIFICATE', der), key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Reads the TLS material from `<dataDir>/pki`, generating and storing it on first use. */
export async function loadOrCreateTls(dataDir: string): Promise<FrontTls> {
  const files = tlsFiles(dataDir);
  try {
    const [caCert, caKey, cert, key] = await Promise.all([files.caCert, files.caKey, files.cert, files.key].map((f) => readFile(f, 'utf8')));
    createPrivateKey(key!);
    createPrivateKey(caKey!);
    return { caCert: caCert!, caKey: caKey!, cert: cert!, key: key! };
  } catch {
    // A data directory from before the CA key was kept gets a new CA too: one that can sign client certificates.
    const tls = generateTls();
    ensurePrivateDir(join(dataDir, 'pki'));
    // The data directory is private, certificates included (only their owner runs the front).
    await writeFile(files.caCert, tls.caCert, { mode: PRIVATE_FILE_MODE });
    await writeFile(files.caKey, tls.caKey, { mode: PRIVATE_FILE_MODE });
    await writeFile(files.cert, tls.cert, { mode: PRIVATE_FILE_MODE });
    await writeFile(files.key, tls.key, { mode: PRIVATE_FILE_MODE });
    return tls;
  }
}

/** Where a data directory keeps its TLS material (kubeadm's names under /etc/kubernetes/pki). */
export function tlsFiles(dataDir: string): { caCert: string; caKey: string; cert: string; key: string } {
  const dir = join(dataDir, 'pki');
  return { caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key') };
}
