/**
 * The root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher): every active
 * namespace has the ConfigMap `kube-root-ca.crt` whose `ca.crt` is the CA the apiserver
 * serves with, so a pod's kube-api-access volume can verify the API. The ConfigMap is made
 * when a namespace appears and restored when it is edited or deleted. Keys are namespace
 * names.
 *
 * Option `root-ca`: the CA bundle (PEM); `kubeactor up` passes the front's CA. Without it the
 * bundle is empty, as kube-controller-manager publishes its client's CAData when it has no
 * --root-ca-file (a control plane on the in-process bus has no TLS).
 */
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { ROOT_CA_CONFIGMAP, ROOT_CA_KEY } from '../../../api/defaults/service-account.ts';
import { isAlreadyExists, isNotFound, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';

/** The description annotation the publisher keeps on the ConfigMap. */
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export function createRootCAPublisher(cc: ControllerContext): Controller {
  const rootCA = typeof cc.options['root-ca'] === 'string' ? cc.options['root-ca'] : '';
  const enqueueNs = (ns: Namespace) => cc.enqueue(ns.metadata?.name ?? '');
  const namespaces = cc.informer({ target: targets.namespaces(), handlers: { add: enqueueNs, update: (_, ns) => enqueueNs(ns) } });
  const ours = (cm: ConfigMap) => cm.metadata?.name === ROOT_CA_CONFIGMAP;
  const configMaps = cc.informer({
    target: targets.configmaps(),
    handlers: {
      update: (_, cm) => void (ours(cm) && cc.enqueue(cm.metadata?.namespace ?? '')),
      delete: (cm) => void (ours(cm) && cc.enqueue(cm.metadata?.namespace ?? '')),
    },
  });

  return {
    async sync(key) {
      const ns = namespaces.get(key);
      // A terminating namespace refuses new objects; its ConfigMap goes with it.
      if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
      const data = { [ROOT_CA_KEY]: rootCA };
      const cm = configMaps.get(`${key}/${ROOT_CA_CONFIGMAP}`);
      if (!cm) {
        const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace: key, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data };
        const r = await cc.api.create(targets.configmaps(key), object);
        if (!r.ok && isAlreadyExists(r.status)) return;
        return void unwrap(r);
      }
      const sameData = Object.keys(cm.data ?? {}).length === 1 && cm.data?.[ROOT_CA_KEY] === rootCA && !cm.binaryData;
      if (sameData && cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
      const { binaryData: _binary, ...rest } = cm;
      const updated = { ...rest, apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...cm.metadata, annotations: { ...cm.metadata?.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data };
      const r = await cc.api.update(targets.configmaps(key, ROOT_CA_CONFIGMAP), updated);
      if (!r.ok && isNotFound(r.status)) return;
      unwrap(r);
    },
  };
}

export const rootCAPublisherController: ControllerDefinition = {
  name: 'root-ca-cert-publisher',
  aliases: ['root-ca-certificate-publisher-controller'],
  component: 'root-ca-cert-publisher',
  enabledByDefault: true,
  create: createRootCAPublisher,
};
