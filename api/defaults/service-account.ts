/**
 * What the ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount) does to a
 * new pod: spec.serviceAccountName defaults to `default`, and unless automounting is off
 * (on the pod, else on its ServiceAccount) the pod gets the `kube-api-access-<5 random>`
 * projected volume — a bound token, the cluster CA from the `kube-root-ca.crt` ConfigMap
 * and the namespace — mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount
 * in every container and init container that has no mount at that path. Pure: the random
 * source is the caller's.
 */
import type { Container, Pod, ServiceAccount, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import { generateName, type RandomInt } from '../names.ts';

export const DEFAULT_SERVICE_ACCOUNT_NAME = 'default';
/** ServiceAccountVolumeName: the prefix of the projected token volume. */
export const SERVICE_ACCOUNT_VOLUME_NAME = 'kube-api-access';
/** DefaultAPITokenMountPath. */
export const API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The ConfigMap the root-ca-cert-publisher keeps in every namespace. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_KEY = 'ca.crt';
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: one hour and seven seconds. */
export const TOKEN_VOLUME_EXPIRATION_SECONDS = 3607;

/** The projected volume kube-apiserver adds (defaultMode 0644). */
export function apiAccessVolume(name: string): Volume {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_VOLUME_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: ROOT_CA_KEY, path: ROOT_CA_KEY }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 0o644,
    },
  };
}

/** shouldAutomount: the pod's automountServiceAccountToken wins, then the account's; default true. */
export function shouldAutomount(pod: Pod, sa: ServiceAccount | undefined): boolean {
  return pod.spec?.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
}

/**
 * The pod as the plugin admits it. `account` looks up the pod's ServiceAccount (undefined
 * when unknown: automounting then follows the pod alone).
 */
export function admitServiceAccount(pod: Pod, account: (name: string) => ServiceAccount | undefined, random: RandomInt): Pod {
  const spec = pod.spec;
  if (!spec) return pod;
  const name = spec.serviceAccountName || DEFAULT_SERVICE_ACCOUNT_NAME;
  const named: Pod = spec.serviceAccountName === name ? pod : { ...pod, spec: { ...spec, serviceAccountName: name } };
  if (!shouldAutomount(named, account(name))) return named;
  return mountToken(named, random);
}

/** mountServiceAccountToken: an existing kube-api-access-* volume is reused, else one is named. */
function mountToken(pod: Pod, random: RandomInt): Pod {
  const spec = pod.spec!;
  const existing = spec.volumes?.find((v) => (v.name ?? '').startsWith(`${SERVICE_ACCOUNT_VOLUME_NAME}-`));
  const volumeName = existing?.name ?? generateName(`${SERVICE_ACCOUNT_VOLUME_NAME}-`, random);
  const mount: VolumeMount = { name: volumeName, readOnly: true, mountPath: API_TOKEN_MOUNT_PATH };
  let needed = false;
  const withMount = (c: Container): Container => {
    if (c.volumeMounts?.some((m) => m.mountPath === API_TOKEN_MOUNT_PATH)) return c;
    needed = true;
    return { ...c, volumeMounts: [...(c.volumeMounts ?? []), mount] };
  };
  const initContainers = spec.initContainers?.map(withMount);
  // A pod without containers reaches admission before validation refuses it (422): nothing to mount into.
  const containers = (spec.containers ?? []).map(withMount);
  if (!needed) return pod;
  return {
    ...pod,
    spec: {
      ...spec,
      ...(initContainers ? { initContainers } : {}),
      containers,
      volumes: existing ? spec.volumes : [...(spec.volumes ?? []), apiAccessVolume(volumeName)],
    },
  };
}
