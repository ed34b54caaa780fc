/**
 * The cloud-controller-manager's node controller (k8s.io/cloud-provider
 * controllers/node) with the local provider: every Node gets spec.providerID
 * `kubeactor://<name>`, loses the node.cloudprovider.kubernetes.io/uninitialized taint a
 * kubelet started with an external cloud provider carries, and keeps the addresses the
 * provider knows for it — the InternalIP its kubelet reported, plus its Hostname. Keys are
 * node names.
 */
import type { Node, NodeAddress, Taint } from 'kubernetes-types/core/v1.js';
import { isNotFound, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';

export const PROVIDER_PREFIX = 'kubeactor://';
export const UNINITIALIZED_TAINT = 'node.cloudprovider.kubernetes.io/uninitialized';

/** The local provider's NodeAddresses: the reported InternalIPs (and others) with a Hostname. */
export function providerAddresses(node: Node): NodeAddress[] {
  const given = node.status?.addresses ?? [];
  if (given.some((a) => a.type === 'Hostname')) return given;
  return [...given, { type: 'Hostname', address: node.metadata?.name ?? '' }];
}

export function createCloudNodeController(cc: ControllerContext): Controller {
  const nodes = cc.informer({
    target: targets.nodes(),
    handlers: { add: (n) => cc.enqueue(n.metadata?.name ?? ''), update: (_, n) => cc.enqueue(n.metadata?.name ?? '') },
  });

  return {
    async sync(name) {
      const node = nodes.get(name);
      if (!node || node.metadata?.deletionTimestamp) return;
      const taints: Taint[] = node.spec?.taints ?? [];
      const spec: { providerID?: string; taints?: Taint[] | null } = {};
      // providerID is set once and never changed (the apiserver refuses a change, as upstream).
      if (!node.spec?.providerID) spec.providerID = `${PROVIDER_PREFIX}${name}`;
      if (taints.some((t) => t.key === UNINITIALIZED_TAINT)) {
        const rest = taints.filter((t) => t.key !== UNINITIALIZED_TAINT);
        spec.taints = rest.length ? rest : null;
      }
      if (Object.keys(spec).length) {
        const r = await cc.api.patch(targets.nodes(undefined, name), { spec });
        if (!r.ok && isNotFound(r.status)) return;
        unwrap(r);
      }
      // Addresses wait for the kubelet's first report: before it the provider knows none.
      if (!node.status?.addresses?.length) return;
      const addresses = providerAddresses(node);
      if (addresses.length === node.status.addresses.length) return;
      const r = await cc.api.patch(targets.nodes(undefined, name, 'status'), { status: { addresses } });
      if (!r.ok && isNotFound(r.status)) return;
      unwrap(r);
    },
  };
}

export const cloudNodeController: ControllerDefinition = {
  name: 'cloud-node',
  aliases: ['cloud-node-controller'],
  component: 'cloud-controller-manager',
  enabledByDefault: true,
  create: createCloudNodeController,
};
