/**
 * What the in-tree signers accept (kube-controller-manager's csrsigning: isKubeAPIServerClient
 * and isKubeletClient). A signer recognises its own signerName; for a request it recognises,
 * a non-null answer is why it refuses, which becomes the request's Failed condition with
 * reason SignerValidationFailure.
 */
import type { CertificateRequestInfo } from './csr.ts';
import { KUBE_APISERVER_CLIENT_KUBELET_SIGNER, KUBE_APISERVER_CLIENT_SIGNER } from './usages.ts';

/** validAPIServerClientUsages: client auth required, digital signature and key encipherment allowed. */
function apiServerClientProblem(_req: CertificateRequestInfo, usages: readonly string[]): string | null {
  let clientAuth = false;
  for (const u of usages) {
    if (u === 'client auth') clientAuth = true;
    else if (u !== 'digital signature' && u !== 'key encipherment') return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? null : 'missing required usage for client certificate: client auth';
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => new Set(a).size === new Set(b).size && b.every((x) => a.includes(x));

/** ValidateKubeletClientCSR: O exactly system:nodes, CN system:node:<name>, no SANs, the kubelet's usages. */
function kubeletClientProblem(req: CertificateRequestInfo, usages: readonly string[]): string | null {
  if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (req.sanTypes.includes('dns')) return 'DNS subjectAltNames are not allowed';
  if (req.sanTypes.includes('email')) return 'Email subjectAltNames are not allowed';
  if (req.sanTypes.includes('ip')) return 'IP subjectAltNames are not allowed';
  if (req.sanTypes.includes('url')) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  const required = ['client auth', 'digital signature', 'key encipherment'];
  if (!sameSet(usages, required) && !sameSet(usages, ['client auth', 'digital signature'])) return `usages did not match [${required.join(' ')}]`;
  return null;
}

/** The in-tree client signers by signerName: why each refuses a request, or null to sign it. */
export const CLIENT_SIGNERS: Readonly<Record<string, (req: CertificateRequestInfo, usages: readonly string[]) => string | null>> = {
  [KUBE_APISERVER_CLIENT_SIGNER]: apiServerClientProblem,
  [KUBE_APISERVER_CLIENT_KUBELET_SIGNER]: kubeletClientProblem,
};
