/** A spec's own HTTPS server on loopback (webhooks the apiserver calls), started and stopped by the spec. */
import type { Server, ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { generateKeyPairSync } from 'node:crypto';
import { certificateAuthority, signCertificate } from '../../actors/apiserver/http/tls/client-certs.ts';
import { extension, implicit, name, seq } from '../../actors/apiserver/http/tls/der.ts';

/** The generated CA and the 127.0.0.1 serving certificate (generateTls's answer). */
export interface SpecTls {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

/** A serving certificate from the same CA for the Service's DNS name only (not for 127.0.0.1). */
function serviceCertificate(tls: SpecTls, dns: string): { cert: string; key: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const cert = signCertificate(certificateAuthority(tls.caCert, tls.caKey), {
    subject: name(dns),
    spki: pair.publicKey.export({ type: 'spki', format: 'der' }),
    usages: ['digital signature', 'server auth'],
    subjectAltName: extension('2.5.29.17', false, seq(implicit(2, Buffer.from(dns)))),
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 3600_000),
  });
  return { cert, key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * Server options for a webhook dialled at 127.0.0.1 by URL (the 127.0.0.1 certificate) and
 * through a Service (checked for `serviceDns`, `<name>.<namespace>.svc`: SNI picks it).
 */
export function webhookServerOptions(tls: SpecTls, serviceDns: string): ServerOptions {
  const svc = serviceCertificate(tls, serviceDns);
  const plain = { cert: tls.cert, key: tls.key };
  return { ...plain, SNICallback: (servername, cb) => cb(null, createSecureContext(servername === serviceDns ? svc : plain)) };
}

/** Listens on 127.0.0.1:`port` (0: any free one); answers the port it got. */
export async function listenLoopback(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes the server and its open connections (kept-alive ones too), so nothing is left listening. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** A Service `<namespace>/<name>` on port 443 whose one ready endpoint is 127.0.0.1:`port` (a stream of two JSON objects kubectl applies). */
export function loopbackService(namespace: string, svcName: string, port: number): string {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: svcName, namespace }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${svcName}-1`, namespace, labels: { 'kubernetes.io/service-name': svcName } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
  ].map((o) => JSON.stringify(o)).join('\n');
}
