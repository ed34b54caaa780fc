/**
 * Validation of certificates.k8s.io/v1 CertificateSigningRequest, as Kubernetes'
 * ValidateCertificateSigningRequestCreate / ...Update: the request is a PEM CSR whose
 * signature verifies, usages are named and known, signerName is `domain/path`,
 * expirationSeconds at least 600, the Approved/Denied/Failed conditions are True and
 * Approved excludes Denied, and an update removes no such condition nor replaces an issued
 * certificate. Which subresource may add which condition is the strategy's (see the kind).
 */
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { firstPemBlock, parseCertificateRequest } from '../certificates/csr.ts';
import { ALL_USAGES, CSR_APPROVED, CSR_DENIED, CSR_FAILED, LEGACY_UNKNOWN_SIGNER } from '../certificates/usages.ts';
import { duplicate, forbidden, GoRaw, invalid, notSupported, required, tooLong } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, isDNS1123Subdomain } from './names.ts';

const TRUE_ONLY = new Set([CSR_APPROVED, CSR_DENIED, CSR_FAILED]);

/** Go's %#v of a []byte, as field.Invalid prints the request. */
const goBytes = (b: Buffer): GoRaw => new GoRaw(`[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`);

/** ValidateSignerName: `example.com/signer-name`, labels and length as Kubernetes checks them. */
export function validateSignerName(path: string, signerName: string | undefined): StatusCause[] {
  if (!signerName) return [required(path)];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain = '', rest = ''] = segments;
  const errs: StatusCause[] = [];
  if (domain.length > 253) errs.push(tooLong(path, 253));
  const labels = domain.split('.');
  for (const lbl of labels) {
    const problems = isDNS1123Label(lbl);
    if (problems.length) {
      for (const p of problems) errs.push(invalid(path, domain, `validating label ${JSON.stringify(lbl)}: ${p}`));
      break;
    }
  }
  if (labels.length < 2) errs.push(invalid(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const lbl of rest.split('.')) {
    const problems = isDNS1123Subdomain(lbl);
    if (problems.length) {
      for (const p of problems) errs.push(invalid(path, rest, `validating label ${JSON.stringify(lbl)}: ${p}`));
      break;
    }
  }
  const max = 253 + (253 + 63 + 1) + 1;
  if (signerName.length > max) errs.push(tooLong(path, max));
  return errs;
}

function validateCertificate(pemText: string): string | null {
  let rest = pemText;
  let blocks = 0;
  for (let block = firstPemBlock(rest); block; block = firstPemBlock(rest)) {
    if (block.type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(block.type)}`;
    blocks++;
    rest = rest.slice(rest.indexOf(`-----END ${block.type}-----`) + `-----END ${block.type}-----`.length);
  }
  return blocks === 0 ? 'must contain at least one CERTIFICATE PEM block' : null;
}

type Condition = NonNullable<NonNullable<CertificateSigningRequest['status']>['conditions']>[number];

function validateConditions(conditions: readonly Condition[]): StatusCause[] {
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditions.forEach((c, i) => {
    const at = `status.conditions[${i}]`;
    if (!c.type) errs.push(required(`${at}.type`));
    const allowed = TRUE_ONLY.has(c.type) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c.status) errs.push(required(`${at}.status`));
    else if (!allowed.includes(c.status)) errs.push(notSupported(`${at}.status`, c.status, allowed));
    if (c.type === CSR_APPROVED) {
      approved = true;
      if (denied) errs.push(invalid(`${at}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
    }
    if (c.type === CSR_DENIED) {
      denied = true;
      if (approved) errs.push(invalid(`${at}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
    }
    if (seen.has(c.type)) errs.push(duplicate(`${at}.type`, c.type));
    seen.add(c.type);
  });
  return errs;
}

export function validateCertificateSigningRequest(csr: CertificateSigningRequest, old?: CertificateSigningRequest): StatusCause[] {
  const errs = validateObjectMeta(csr.metadata, false, () => []);
  const spec = csr.spec ?? ({} as CertificateSigningRequest['spec']);
  const request = Buffer.from(spec.request ?? '', 'base64');
  const parsed = parseCertificateRequest(request.toString('latin1'));
  if (!parsed.ok) errs.push(invalid('spec.request', goBytes(request), parsed.error));
  const usages = spec.usages ?? [];
  if (usages.length === 0) errs.push(required('spec.usages'));
  usages.forEach((u, i) => {
    if (!ALL_USAGES.includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, ALL_USAGES));
  });
  usages.forEach((u, i) => {
    if (usages.indexOf(u) < i) errs.push(duplicate(`spec.usages[${i}]`, u));
  });
  if (spec.signerName === LEGACY_UNKNOWN_SIGNER) errs.push(invalid('spec.signerName', spec.signerName, 'the legacy signerName is not allowed via this API version'));
  else errs.push(...validateSignerName('spec.signerName', spec.signerName));
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < 600) {
    errs.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(csr.status?.conditions ?? []));
  const certificate = csr.status?.certificate;
  if (certificate) {
    const problem = validateCertificate(Buffer.from(certificate, 'base64').toString('latin1'));
    if (problem) errs.push(invalid('status.certificate', '<certificate data>', problem));
  }
  if (!old) return errs;
  errs.push(...validateObjectMetaUpdate(csr.metadata, old.metadata));
  for (const t of [CSR_APPROVED, CSR_DENIED, CSR_FAILED]) {
    const count = (o: CertificateSigningRequest) => (o.status?.conditions ?? []).filter((c) => c.type === t).length;
    if (count(csr) < count(old)) errs.push(forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`));
  }
  const before = old.status?.certificate ?? '';
  if (before && (certificate ?? '') !== before) errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
  return errs;
}
