/**
 * Objects the apiserver makes sure exist on every boot, as kube-apiserver's bootstrap
 * controllers do: the system namespaces (default, kube-system, kube-public,
 * kube-node-lease), the `kubernetes` Service in default at the service CIDR's first IP,
 * the RuntimeClasses `process` and `sim` (handlers of the same names, which every kubelet has),
 * the system PriorityClasses (system-node-critical, system-cluster-critical),
 * the default StorageClass `local-path` (served by the local-path provisioner controller) and
 * the default IngressClass `kubeactor` (served by the ingress controller, actors/ingress/) —
 * each only when missing, so a user's change to it survives a restart.
 */
import { isConflictOrExists } from '../../base/status.ts';
import type { ServerContext } from './context.ts';
import { SYSTEM_NAMESPACES } from './admission.ts';
import { create } from './create.ts';
import { LOCAL_PATH_STORAGE_CLASS } from '../../api/volumes/local-path.ts';
import { KUBEACTOR_INGRESS_CLASS } from '../../api/ingress/classes.ts';
import { userForAddress } from './identity.ts';
import { ensureRbacBootstrap } from './rbac-bootstrap.ts';
import { ensureFlowControlBootstrap } from './flowcontrol-bootstrap.ts';
import { objectStorageKey } from './storage-keys.ts';
import { SYSTEM_PRIORITY_CLASSES } from '../../api/scheduling/priority-classes.ts';

export async function ensureSystemObjects(s: ServerContext, opts: { kubernetesService: boolean; defaultStorageClass: boolean; defaultIngressClass: boolean }): Promise<void> {
  const call = { from: 'apiserver', user: userForAddress('apiserver') };
  const namespaces = s.lookup('', 'v1', 'namespaces');
  const services = s.lookup('', 'v1', 'services');
  if (!namespaces || !services) throw new Error('the kinds table serves no namespaces or services');
  for (const name of SYSTEM_NAMESPACES) {
    if (s.cache.resource('namespaces').items.has(objectStorageKey('namespaces', undefined, name))) continue;
    const r = await create(s, namespaces, { ...call, payload: { target: { group: '', version: 'v1', resource: 'namespaces' }, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } } });
    if (!r.ok && !isConflictOrExists(r)) throw new Error(`creating namespace ${name}: ${r.status.message}`);
  }
  if (s.authorizationModes.includes('RBAC')) await ensureRbacBootstrap(s);
  await ensureFlowControlBootstrap(s);
  await ensureRuntimeClasses(s);
  for (const pc of SYSTEM_PRIORITY_CLASSES) await ensureClusterObject(s, 'scheduling.k8s.io', 'priorityclasses', pc as { metadata: { name: string } }, 'system priority class');
  if (opts.defaultStorageClass) await ensureClusterObject(s, 'storage.k8s.io', 'storageclasses', LOCAL_PATH_STORAGE_CLASS, 'default storage class');
  if (opts.defaultIngressClass) await ensureClusterObject(s, 'networking.k8s.io', 'ingressclasses', KUBEACTOR_INGRESS_CLASS, 'default ingress class');
  if (!opts.kubernetesService) return;
  if (s.cache.resource('services').items.has(objectStorageKey('services', 'default', 'kubernetes'))) return;
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: s.clusterIPs.first, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' },
  };
  const r = await create(s, services, { ...call, payload: { target: { group: '', version: 'v1', resource: 'services', namespace: 'default' }, object: svc } });
  if (!r.ok && !isConflictOrExists(r)) s.log.warn('apiserver: could not create the kubernetes service', { status: r.status.message });
}

/** Creates a cluster-scoped object when none of its name exists (a kind the table lacks is skipped). */
async function ensureClusterObject(s: ServerContext, group: string, resource: string, object: { metadata: { name: string } }, what: string): Promise<void> {
  const kind = s.lookup(group, 'v1', resource);
  if (!kind || s.cache.resource(kind.gr).items.has(objectStorageKey(kind.gr, undefined, object.metadata.name))) return;
  const call = { from: 'apiserver', user: userForAddress('apiserver') };
  const r = await create(s, kind, { ...call, payload: { target: { group, version: 'v1', resource }, object: structuredClone(object) } });
  if (!r.ok && !isConflictOrExists(r)) s.log.warn(`apiserver: could not create the ${what}`, { status: r.status.message });
}

/** The runtime handlers every kubelet here has (actors/kubelet/runtimes.ts), one RuntimeClass each. */
export const RUNTIME_HANDLERS = ['process', 'sim'] as const;

async function ensureRuntimeClasses(s: ServerContext): Promise<void> {
  const kind = s.lookup('node.k8s.io', 'v1', 'runtimeclasses');
  if (!kind) return;
  const call = { from: 'apiserver', user: userForAddress('apiserver') };
  for (const handler of RUNTIME_HANDLERS) {
    if (s.cache.resource(kind.gr).items.has(objectStorageKey(kind.gr, undefined, handler))) continue;
    const object = { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: handler }, handler };
    const r = await create(s, kind, { ...call, payload: { target: { group: 'node.k8s.io', version: 'v1', resource: 'runtimeclasses' }, object } });
    if (!r.ok && !isConflictOrExists(r)) s.log.warn('apiserver: could not create a RuntimeClass', { name: handler, status: r.status.message });
  }
}
