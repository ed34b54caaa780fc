/** Defaulting of flowcontrol.apiserver.k8s.io/v1 (k8s.io/api/flowcontrol/v1 defaults.go). */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import { clone } from '../json.ts';

/** SetDefaults_FlowSchemaSpec: matchingPrecedence 1000 when left out. */
export function defaultFlowSchema(fs: FlowSchema): FlowSchema {
  const o = clone(fs);
  if (o.spec && !o.spec.matchingPrecedence) o.spec.matchingPrecedence = 1000;
  return o;
}

/**
 * SetDefaults_ExemptPriorityLevelConfiguration, _LimitedPriorityLevelConfiguration and
 * _QueuingConfiguration: 0 shares and lending for exempt, 30 shares and no lending for a
 * limited level, 64 queues of hand size 8 and length 50 for queuing.
 */
export function defaultPriorityLevelConfiguration(pl: PriorityLevelConfiguration): PriorityLevelConfiguration {
  const o = clone(pl);
  const e = o.spec?.exempt;
  if (e) {
    e.nominalConcurrencyShares ??= 0;
    e.lendablePercent ??= 0;
  }
  const l = o.spec?.limited;
  if (l) {
    l.nominalConcurrencyShares ??= 30;
    l.lendablePercent ??= 0;
    const q = l.limitResponse?.queuing;
    if (q) {
      if (!q.handSize) q.handSize = 8;
      if (!q.queueLengthLimit) q.queueLengthLimit = 50;
      if (!q.queues) q.queues = 64;
    }
  }
  return o;
}
