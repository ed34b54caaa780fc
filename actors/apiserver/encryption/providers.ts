/**
 * The ciphers of kube-apiserver's encryption at rest (k8s.io/apiserver/pkg/storage/value/encrypt),
 * each framing its bytes as upstream does, so a value is the same bytes Kubernetes would store:
 * - aescbc: a 16-byte random IV, then AES-CBC of the data with PKCS#7 padding;
 * - aesgcm: a 12-byte random nonce, then AES-GCM sealed with the storage key as authenticated
 *   data (a value copied under another key does not open);
 * - secretbox: a 24-byte random nonce, then XSalsa20-Poly1305 (tag first, as NaCl's Seal).
 * Nonces come from the system's CSPRNG, never a seeded source: a seed repeats after a restart,
 * and a repeated GCM nonce under one key gives the key away.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';

/** One key's transformer: data to stored bytes and back. `aad` is the storage key (Kubernetes' authenticated data). */
export interface Cipher {
  seal(data: Uint8Array, aad: string): Uint8Array;
  /** The data, or throws with upstream's message. */
  open(stored: Uint8Array, aad: string): Uint8Array;
}

const TOO_SHORT = 'the stored data was shorter than the required size';

export function aesCbc(key: Uint8Array): Cipher {
  const algorithm = `aes-${key.length * 8}-cbc`;
  return {
    seal(data) {
      const iv = randomBytes(16);
      const c = createCipheriv(algorithm, key, iv);
      return Buffer.concat([iv, c.update(data), c.final()]);
    },
    open(stored) {
      if (stored.length < 16) throw new Error(TOO_SHORT);
      const body = stored.subarray(16);
      if (body.length % 16 !== 0) throw new Error('the stored data is not a multiple of the block size');
      const d = createDecipheriv(algorithm, key, stored.subarray(0, 16));
      d.setAutoPadding(false);
      const plain = Buffer.concat([d.update(body), d.final()]);
      const pad = plain[plain.length - 1] ?? 0;
      if (pad === 0 || pad > plain.length) throw new Error('invalid PKCS7 data (empty or not padded)');
      for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw new Error('invalid padding on input');
      return plain.subarray(0, plain.length - pad);
    },
  };
}

export function aesGcm(key: Uint8Array): Cipher {
  const algorithm = `aes-${key.length * 8}-gcm` as 'aes-256-gcm';
  return {
    seal(data, aad) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algorithm, key, nonce);
      c.setAAD(Buffer.from(aad));
      return Buffer.concat([nonce, c.update(data), c.final(), c.getAuthTag()]);
    },
    open(stored, aad) {
      if (stored.length < 12 + 16) throw new Error(TOO_SHORT);
      const d = createDecipheriv(algorithm, key, stored.subarray(0, 12));
      d.setAAD(Buffer.from(aad));
      d.setAuthTag(stored.subarray(stored.length - 16));
      try {
        return Buffer.concat([d.update(stored.subarray(12, stored.length - 16)), d.final()]);
      } catch {
        throw new Error('cipher: message authentication failed');
      }
    },
  };
}

export function secretbox(key: Uint8Array): Cipher {
  return {
    seal(data) {
      const nonce = randomBytes(24);
      return Buffer.concat([nonce, xsalsa20poly1305(key, nonce).encrypt(data)]);
    },
    open(stored) {
      if (stored.length < 24 + 16) throw new Error(TOO_SHORT);
      try {
        return xsalsa20poly1305(key, stored.subarray(0, 24)).decrypt(stored.subarray(24));
      } catch {
        throw new Error('output array was not large enough for encryption');
      }
    },
  };
}
