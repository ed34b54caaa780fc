/**
 * certificates.k8s.io/v1 key usages and the well-known signer names, as Kubernetes names
 * them (k8s.io/api/certificates/v1), with the X.509 bits and OIDs each usage stands for
 * (the signer's keyUsagesFromStrings).
 */

/** Key usages: the KeyUsage bit (digitalSignature = 0 … decipherOnly = 8). */
export const KEY_USAGE_BITS: Readonly<Record<string, number>> = {
  signing: 0,
  'digital signature': 0,
  'content commitment': 1,
  'key encipherment': 2,
  'data encipherment': 3,
  'key agreement': 4,
  'cert sign': 5,
  'crl sign': 6,
  'encipher only': 7,
  'decipher only': 8,
};

/** Extended key usages: the OID. */
export const EXT_KEY_USAGE_OIDS: Readonly<Record<string, string>> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

/** Every usage a request may name, sorted (the NotSupported message lists them so). */
export const ALL_USAGES: readonly string[] = [...Object.keys(KEY_USAGE_BITS), ...Object.keys(EXT_KEY_USAGE_OIDS)].sort();

/** Issues client certificates for the apiserver (any user but the kubelets' own). */
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
/** Issues the kubelets' client certificates (CN system:node:<name>, O system:nodes). */
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
/** The v1beta1 default, refused by v1. */
export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';

/** The conditions of a request's life. */
export const CSR_APPROVED = 'Approved';
export const CSR_DENIED = 'Denied';
export const CSR_FAILED = 'Failed';
