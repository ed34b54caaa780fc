/**
 * The clusterrole-aggregation controller (pkg/controller/clusterroleaggregation): an
 * aggregated ClusterRole's rules are kept equal to the union of the rules of the ClusterRoles
 * its aggregationRule selects. Any ClusterRole change requeues every aggregated one (what a
 * change selects is only known after it). Keys are ClusterRole names.
 */
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { aggregatedRules, sameRules } from '../../../api/rbac/aggregation.ts';
import { isConflict, isNotFound, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';

export function createClusterRoleAggregationController(cc: ControllerContext): Controller {
  const requeueAggregated = () => {
    for (const r of roles.list()) if (r.aggregationRule) cc.enqueue(r.metadata?.name ?? '');
  };
  const roles = cc.informer({
    target: targets.clusterroles(),
    handlers: { add: requeueAggregated, update: requeueAggregated, delete: requeueAggregated },
  });

  return {
    async sync(key) {
      const role = roles.get(key) as ClusterRole | undefined;
      if (!role) return;
      const rules = aggregatedRules(role, roles.list() as ClusterRole[]);
      if (rules === null || sameRules(rules, role.rules)) return;
      const r = await cc.api.update(targets.clusterroles(undefined, key), { ...role, apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', rules });
      // A newer version is on its way through the informer, and requeues this one.
      if (!r.ok && (isConflict(r.status) || isNotFound(r.status))) return;
      unwrap(r);
    },
  };
}

export const clusterRoleAggregationController: ControllerDefinition = {
  name: 'clusterrole-aggregation',
  aliases: ['clusterrole-aggregation-controller'],
  component: 'clusterrole-aggregation-controller',
  enabledByDefault: true,
  create: createClusterRoleAggregationController,
};
