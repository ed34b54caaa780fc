/**
 * Client-certificate authentication, as kube-apiserver's --client-ca-file: the front asks
 * every client for a certificate (without requiring one); a certificate that chains to the
 * cluster CA, is within its validity and is meant for client authentication (TLS verifies
 * all three) authenticates as user = its CN, groups = its O values. A certificate that does
 * not verify is no credential: the request may still authenticate otherwise (a bearer
 * token), and is 401 if not.
 *
 * The user is read from the connection each request arrives on, never remembered beyond
 * it, and the front refuses TLS renegotiation, so a connection's certificate cannot change
 * under it (actors/apiserver/http/server.ts).
 */
import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../../../bus/catalogue/api.ts';
import { AUTHENTICATED } from '../identity.ts';


/** What the connection's client certificate says: none sent, a user, or a certificate that does not verify. */
export type CertificateIdentity = { type: 'none' } | { type: 'user'; user: UserInfo } | { type: 'invalid'; reason: string };

// Parsed once per connection: a connection's certificate is fixed once the handshake is done.
const byConnection = new WeakMap<TLSSocket, CertificateIdentity>();

/** The identity the request's TLS client certificate proves. */
export function certificateIdentity(req: IncomingMessage): CertificateIdentity {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return { type: 'none' };
  const known = byConnection.get(socket);
  if (known) return known;
  const found = identify(socket);
  byConnection.set(socket, found);
  return found;
}

function identify(socket: TLSSocket): CertificateIdentity {
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return { type: 'none' };
  if (!socket.authorized) return { type: 'invalid', reason: String(socket.authorizationError ?? 'certificate not verified') };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(peer.raw);
  } catch {
    return { type: 'invalid', reason: 'unparsable certificate' };
  }
  const username = cert.subjectName.getField('CN')[0] ?? '';
  // Kubernetes' CommonNameUserConversion: a certificate without a CN names nobody.
  if (!username) return { type: 'none' };
  const organizations = cert.subjectName.getField('O');
  const groups = organizations.includes(AUTHENTICATED) ? organizations : [...organizations, AUTHENTICATED];
  return { type: 'user', user: { username, groups } };
}
