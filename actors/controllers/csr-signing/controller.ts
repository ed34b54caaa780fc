/**
 * The csrsigning controller (pkg/controller/certificates/signer): signs approved
 * CertificateSigningRequests for kubernetes.io/kube-apiserver-client and
 * kubernetes.io/kube-apiserver-client-kubelet with the cluster CA, for the duration the
 * request asks (expirationSeconds, at least 10 minutes, at most --cluster-signing-duration),
 * with the usages it asks. A request its signer refuses (a usage or subject the signer does
 * not issue) gets a Failed condition, reason SignerValidationFailure, and no certificate.
 * Requests not approved, denied, failed, already issued or for another signer are left alone.
 * Keys are request names.
 *
 * Options, as kube-controller-manager's flags: `cluster-signing-cert-file` and
 * `cluster-signing-key-file` (PEM; `kubeactor up` passes its data directory's pki/ca.crt and
 * ca.key — paths, so a recording holds no key), `cluster-signing-duration` (Go duration,
 * default 8760h). Without the files the controller signs nothing, as kube-controller-manager
 * skips the signer.
 */
import { readFileSync } from 'node:fs';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { parseCertificateRequest } from '../../../api/certificates/csr.ts';
import { CLIENT_SIGNERS } from '../../../api/certificates/signers.ts';
import { CSR_APPROVED, CSR_DENIED, CSR_FAILED } from '../../../api/certificates/usages.ts';
import { parseGoDuration } from '../../../api/duration.ts';
import { rfc3339 } from '../../../api/time.ts';
import { certificateAuthority, DEFAULT_SIGNING_DURATION_MS, signCertificate, validity, type CertificateAuthority } from '../../apiserver/http/tls/client-certs.ts';
import { isNotFound, targets, TerminalError, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';

const MIN_DURATION_MS = 10 * 60 * 1000;

const hasCondition = (csr: CertificateSigningRequest, type: string): boolean => (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

function loadAuthority(cc: ControllerContext): CertificateAuthority | null {
  const certFile = cc.options['cluster-signing-cert-file'];
  const keyFile = cc.options['cluster-signing-key-file'];
  if (typeof certFile !== 'string' || typeof keyFile !== 'string') return null;
  return certificateAuthority(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
}

/** The signer's duration for a request: what it asks, within [10m, the signing duration]. */
function requestedDuration(expirationSeconds: number | undefined, maxMs: number): number {
  if (expirationSeconds === undefined) return maxMs;
  return Math.min(maxMs, Math.max(MIN_DURATION_MS, expirationSeconds * 1000));
}

export function createCsrSigner(cc: ControllerContext): Controller {
  const ca = loadAuthority(cc);
  if (!ca) cc.actor.log.info('csrsigning: no cluster-signing-cert-file / -key-file: signing nothing');
  const duration = typeof cc.options['cluster-signing-duration'] === 'string' ? parseGoDuration(cc.options['cluster-signing-duration']) : null;
  const maxMs = duration && duration > 0 ? duration : DEFAULT_SIGNING_DURATION_MS;
  const enqueue = (csr: CertificateSigningRequest) => cc.enqueue(csr.metadata?.name ?? '');
  const requests = cc.informer({ target: targets.certificatesigningrequests(), handlers: { add: enqueue, update: (_, csr) => enqueue(csr) } });

  async function writeStatus(csr: CertificateSigningRequest, status: CertificateSigningRequest['status']): Promise<void> {
    const r = await cc.api.updateStatus(targets.certificatesigningrequests(undefined, csr.metadata?.name, 'status'), { ...csr, status });
    if (!r.ok && isNotFound(r.status)) return;
    unwrap(r);
  }

  return {
    async sync(key) {
      const csr = requests.get(key);
      if (!ca || !csr || csr.status?.certificate) return;
      if (!hasCondition(csr, CSR_APPROVED) || hasCondition(csr, CSR_DENIED) || hasCondition(csr, CSR_FAILED)) return;
      const refuses = CLIENT_SIGNERS[csr.spec.signerName];
      if (!refuses) return;
      const parsed = parseCertificateRequest(Buffer.from(csr.spec.request, 'base64').toString('latin1'));
      if (!parsed.ok) return new TerminalError(`unable to parse csr "${key}": ${parsed.error}`);
      const usages = csr.spec.usages ?? [];
      const now = cc.actor.clock.now();
      const problem = refuses(parsed.value, usages);
      if (problem) {
        const failed = { type: CSR_FAILED, status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: rfc3339(now) };
        return writeStatus(csr, { ...csr.status, conditions: [...(csr.status?.conditions ?? []), failed] });
      }
      const v = validity(ca, now, requestedDuration(csr.spec.expirationSeconds, maxMs));
      if ('error' in v) return new TerminalError(`error auto signing csr: ${v.error}`);
      const cert = signCertificate(ca, { subject: parsed.value.subject, spki: parsed.value.spki, usages, subjectAltName: parsed.value.subjectAltName, ...v });
      return writeStatus(csr, { ...csr.status, certificate: Buffer.from(cert).toString('base64') });
    },
  };
}

export const csrSigningController: ControllerDefinition = {
  name: 'csrsigning',
  aliases: ['certificatesigningrequest-signing-controller'],
  component: 'csrsigning',
  enabledByDefault: true,
  create: createCsrSigner,
};
