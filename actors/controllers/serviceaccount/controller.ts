/**
 * The ServiceAccount controller (pkg/controller/serviceaccount/serviceaccounts_controller.go):
 * every active namespace has the ServiceAccounts it should (`default`), created when the
 * namespace appears and re-created when deleted. Keys are namespace names.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';

/** DefaultServiceAccountsControllerOptions: the accounts every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNTS: readonly string[] = ['default'];

export function createServiceAccountController(cc: ControllerContext): Controller {
  const names = (cc.options.serviceAccounts as readonly string[] | undefined) ?? DEFAULT_SERVICE_ACCOUNTS;
  const namespaces = cc.informer({
    target: targets.namespaces(),
    handlers: { add: (ns) => cc.enqueue(ns.metadata?.name ?? ''), update: (_, ns) => cc.enqueue(ns.metadata?.name ?? '') },
  });
  const accounts = cc.informer({
    target: targets.serviceaccounts(),
    handlers: {
      // serviceAccountDeleted: a managed account that goes away is made again.
      delete: (sa) => {
        if (names.includes(sa.metadata?.name ?? '')) cc.enqueue(sa.metadata?.namespace ?? '');
      },
    },
  });

  return {
    async sync(key) {
      const ns = namespaces.get(key);
      // A terminating namespace refuses new objects; its accounts go with it.
      if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
      for (const name of names) {
        if (accounts.get(`${key}/${name}`)) continue;
        const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: key } };
        const r = await cc.api.create(targets.serviceaccounts(key), sa);
        if (!r.ok && isAlreadyExists(r.status)) continue;
        unwrap(r);
      }
    },
  };
}

export const serviceAccountController: ControllerDefinition = {
  name: 'serviceaccount',
  aliases: ['serviceaccount-controller'],
  component: 'service-account-controller',
  enabledByDefault: true,
  create: createServiceAccountController,
};
