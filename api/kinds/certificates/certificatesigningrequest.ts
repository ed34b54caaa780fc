/**
 * certificates.k8s.io/v1 CertificateSigningRequest: cluster-scoped. A request starts with an
 * empty status; its spec never changes after create (spec.username, uid, groups and extra are
 * the requester's, stamped by the apiserver). /approval sets only the conditions (kubectl
 * certificate approve|deny); /status sets the certificate and the other conditions, but never
 * Approved or Denied — approving and issuing are separate permissions, as in Kubernetes.
 */
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { certificateSigningRequestPrinter } from '../../tables/certificates.ts';
import { validateCertificateSigningRequest } from '../../validation/certificates.ts';
import { CSR_APPROVED, CSR_DENIED } from '../../certificates/usages.ts';
import { defineKind, noDefaults, type KubeObject } from '../info.ts';

type Csr = CertificateSigningRequest & KubeObject;
type Condition = NonNullable<NonNullable<CertificateSigningRequest['status']>['conditions']>[number];

const isApproval = (c: Condition): boolean => c.type === CSR_APPROVED || c.type === CSR_DENIED;

/** populateConditionTimestamps: a condition's times are the server's when the client left them out. */
function stampConditions(conditions: readonly Condition[], old: readonly Condition[], now: string): Condition[] {
  return conditions.map((c) => {
    const out = { ...c };
    if (!out.lastUpdateTime) out.lastUpdateTime = now;
    if (!out.lastTransitionTime) {
      const before = old.find((o) => o.type === c.type);
      out.lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    }
    return out;
  });
}

function prepareForUpdate(oldObj: KubeObject, nextObj: KubeObject, subresource: string | undefined, now: string): KubeObject {
  const old = oldObj as Csr;
  const next = nextObj as Csr;
  const before = old.status?.conditions ?? [];
  if (subresource === 'approval') {
    const conditions = stampConditions(next.status?.conditions ?? [], before, now);
    return { ...next, spec: old.spec, status: { ...old.status, conditions } } as KubeObject;
  }
  if (subresource === 'status') {
    const asked = (next.status?.conditions ?? []).filter((c) => !isApproval(c));
    const conditions = stampConditions([...before.filter(isApproval), ...asked], before, now);
    return { ...old, metadata: { ...old.metadata, resourceVersion: next.metadata?.resourceVersion ?? old.metadata?.resourceVersion }, status: { ...next.status, conditions } } as KubeObject;
  }
  return { ...next, spec: old.spec, status: old.status } as KubeObject;
}

export const certificateSigningRequestKind = defineKind({
  group: 'certificates.k8s.io',
  version: 'v1',
  kind: 'CertificateSigningRequest',
  resource: 'certificatesigningrequests',
  namespaced: false,
  shortNames: ['csr'],
  categories: [],
  subresources: ['status', 'approval'],
  schema: 'certificates/v1.CertificateSigningRequest',
  validate: validateCertificateSigningRequest,
  defaults: noDefaults,
  strategy: {
    tracksGeneration: false,
    allowCreateOnUpdate: false,
    prepareForCreate: (o: KubeObject): KubeObject => ({ ...o, status: {} }),
    prepareForUpdate,
  },
  patchMeta: {},
  fieldLabels: ['spec.signerName'],
  printer: certificateSigningRequestPrinter,
  protobuf: 'CertificateSigningRequest',
});
