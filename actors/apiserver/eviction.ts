/**
 * pods/eviction (pkg/registry/core/pod/storage/eviction.go): a pod delete that respects
 * PodDisruptionBudgets. With no budget selecting the pod — or a pod that disrupts nothing
 * by going (finished, pending, already terminating) — the pod is simply deleted. With one
 * budget, the eviction spends one of its status.disruptionsAllowed (recorded in
 * status.disruptedPods until the disruption controller sees the pod go) and then deletes
 * the pod with the Eviction's deleteOptions; with none left it is refused 429
 * TooManyRequests, the answer `kubectl drain` waits on and retries.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { DeleteOptions, KubeObject, PayloadShape, WriteReply } from './types.ts';
import { badRequest, fail, forbidden, isConflictOrExists, ok, status, tooManyRequests, type Result, type Status } from '../../base/status.ts';
import { labelSelectorMatches } from '../../api/selectors/labels.ts';
import { isPodReady } from '../../machines/controllers/pods.ts';
import { allowedCondition, DISRUPTION_ALLOWED } from '../../machines/controllers/disruption/budget.ts';
import { rfc3339 } from '../../api/time.ts';
import type { Call, ServerContext } from './context.ts';
import type { ResourceInfo } from './resources.ts';
import { get } from './get.ts';
import { list } from './list.ts';
import { update } from './update.ts';
import { remove } from './delete.ts';

export const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";
/** MaxDisruptedPodSize: evictions the controller has not confirmed yet, per budget. */
const MAX_DISRUPTED_PODS = 2000;
/** EvictionsRetry: attempts when the budget's status changes under us. */
const ATTEMPTS = 5;

type Eviction = KubeObject & { deleteOptions?: DeleteOptions };

const refused = (cause: string, retryAfterSeconds = 0): Status => {
  const st = tooManyRequests(EVICTION_REFUSED, retryAfterSeconds);
  return { ...st, details: { ...st.details, causes: [{ reason: 'DisruptionBudget', message: cause }] } };
};

/** canIgnorePDB: the pod's going disrupts nothing a budget counts. */
const canIgnoreBudget = (p: Pod): boolean =>
  p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || p.status?.phase === 'Pending' || !!p.metadata?.deletionTimestamp;

const SUCCESS: KubeObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

export async function evict(s: ServerContext, res: ResourceInfo, call: Call<PayloadShape<'api.create'>>): Promise<Result<WriteReply>> {
  const p = call.payload;
  const eviction = p.object as Eviction;
  const name = p.target.name ?? '';
  if (eviction.metadata?.name && eviction.metadata.name !== name) return fail(badRequest('name in URL does not match name in Eviction object'));
  const podTarget = { group: '', version: 'v1', resource: 'pods', namespace: p.target.namespace, name };
  const options: DeleteOptions = { ...eviction.deleteOptions };
  const dryRun = p.dryRun === true || (options.dryRun ?? []).includes('All');
  const deletePod = async (): Promise<Result<WriteReply>> => {
    const r = await remove(s, res, { ...call, payload: { target: podTarget, options, ...(dryRun ? { dryRun } : {}) } });
    return r.ok ? ok({ object: SUCCESS, created: true }) : r;
  };
  const pdbRes = s.lookup('policy', 'v1', 'poddisruptionbudgets');
  if (!pdbRes) return deletePod();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const got = await get(s, res, { ...call, payload: { target: podTarget } });
    if (!got.ok) return got;
    const pod = got.value as Pod;
    if (canIgnoreBudget(pod)) return deletePod();
    const listed = await list(s, pdbRes, { ...call, payload: { target: { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespace: podTarget.namespace } } });
    if (!listed.ok) return listed;
    const items = ((listed.value as { items?: PodDisruptionBudget[] }).items ?? []).filter((b) => labelSelectorMatches(b.spec?.selector, pod.metadata?.labels));
    if (items.length === 0) return deletePod();
    if (items.length > 1) return fail(status(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
    const pdb = items[0]!;
    const st: Partial<PodDisruptionBudgetStatus> = pdb.status ?? {};
    // An unhealthy pod counts for nothing: evicting it leaves the budget as it is (IfHealthyBudget / AlwaysAllow).
    if (!isPodReady(pod)) {
      const always = pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow';
      if (always || ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0)) {
        if (!options.preconditions?.resourceVersion) options.preconditions = { ...options.preconditions, resourceVersion: pod.metadata?.resourceVersion ?? '' };
        return deletePod();
      }
    }
    const spent = spend(s, pdb, name, dryRun);
    if (!spent.ok) return spent;
    if (!dryRun) {
      const target = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespace: podTarget.namespace, name: pdb.metadata?.name ?? '', subresource: 'status' };
      const w = await update(s, pdbRes, { ...call, payload: { target, object: spent.value } });
      if (!w.ok && isConflictOrExists(w)) continue;
      if (!w.ok) return w;
    }
    return deletePod();
  }
  return fail(tooManyRequests('Too many requests, please try again later.', 0));
}

/** checkAndDecrement: the budget with one disruption spent on `pod`, or why not. */
function spend(s: ServerContext, pdb: PodDisruptionBudget, pod: string, dryRun: boolean): Result<KubeObject> {
  const st: Partial<PodDisruptionBudgetStatus> = pdb.status ?? {};
  const name = pdb.metadata?.name ?? '';
  if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) return fail(refused(`The disruption budget ${name} is still being processed by the server.`, 10));
  if ((st.disruptionsAllowed ?? 0) < 0) return fail(forbidden(`poddisruptionbudgets.policy "${name}" is forbidden: pdb disruptions allowed is negative`));
  if (Object.keys(st.disruptedPods ?? {}).length >= MAX_DISRUPTED_PODS) {
    return fail(forbidden(`poddisruptionbudgets.policy "${name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`));
  }
  if (!st.disruptionsAllowed) return fail(refused(`The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`));
  const now = rfc3339(s.clock.now());
  const allowed = (st.disruptionsAllowed ?? 0) - 1;
  let conditions = st.conditions;
  if (allowed === 0) conditions = [...(st.conditions ?? []).filter((c) => c.type !== DISRUPTION_ALLOWED), allowedCondition(0, st.conditions, now, st.observedGeneration ?? 0)];
  const disruptedPods = dryRun ? st.disruptedPods : { ...st.disruptedPods, [pod]: now };
  const spent = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', ...pdb, status: { ...st, disruptionsAllowed: allowed, ...(disruptedPods ? { disruptedPods } : {}), ...(conditions ? { conditions } : {}) } } as KubeObject;
  return ok(spent);
}
