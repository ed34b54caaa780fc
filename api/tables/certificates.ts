/** The certificates.k8s.io printer: `kubectl get csr` as Kubernetes prints it. */
import { humanDuration, since } from './duration.ts';
import { arr, createdOf, nameOf, obj, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

/** extractCSRStatus: Denied or Approved or Pending, then ",Failed" and ",Issued" when they apply. */
export function csrCondition(o: Record<string, unknown>): string {
  const types = new Set(arr(statusOf(o).conditions).map((c) => str(obj(c).type)));
  let out = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) out += ',Failed';
  if (str(statusOf(o).certificate)) out += ',Issued';
  return out;
}

export const certificateSigningRequestPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    col('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
    col('Requestor', 'string', 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.'),
    col('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    col('Condition', 'string', 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".'),
  ],
  cells(o, now) {
    const spec = specOf(o);
    const seconds = spec.expirationSeconds;
    const requested = typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>';
    return [nameOf(o), since(createdOf(o), now), str(spec.signerName) || '<none>', str(spec.username), requested, csrCondition(o)];
  },
};
