/**
 * The flow-control bootstrap (kube-apiserver's priority-and-fairness-config-producer hook): on
 * every start the mandatory PriorityLevelConfigurations and FlowSchemas are made when missing
 * and restored when changed; the suggested ones are made when missing and re-applied while
 * their `apf.kubernetes.io/autoupdate-spec` annotation is "true". Then every FlowSchema's
 * Dangling condition says whether its priority level exists (the MissingPL column).
 */
import type { FlowSchema, FlowSchemaCondition } from 'kubernetes-types/flowcontrol/v1.js';
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { isConflictOrExists } from '../../base/status.ts';
import { deepEqual } from '../../api/json.ts';
import { AUTO_UPDATE_ANNOTATION, DEFAULT_FLOW_SCHEMAS, DEFAULT_PRIORITY_LEVELS, FLOWCONTROL_GROUP, mandatoryLevel, mandatorySchema } from '../../api/flowcontrol/bootstrap.ts';
import type { ServerContext } from './context.ts';
import { create } from './create.ts';
import { userForAddress } from './identity.ts';
import { objectStorageKey } from './storage-keys.ts';
import { update } from './update.ts';

type Spec = { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: unknown };

/** Makes, restores and re-applies the default objects, then writes the FlowSchemas' Dangling conditions; failures are logged. */
export async function ensureFlowControlBootstrap(s: ServerContext): Promise<void> {
  await ensureAll(s, 'prioritylevelconfigurations', DEFAULT_PRIORITY_LEVELS, (n) => mandatoryLevel(n) !== undefined);
  await ensureAll(s, 'flowschemas', DEFAULT_FLOW_SCHEMAS, (n) => mandatorySchema(n) !== undefined);
  await markDangling(s);
}

async function ensureAll(s: ServerContext, resource: string, wanted: readonly Spec[], mandatory: (name: string) => boolean): Promise<void> {
  const kind = s.lookup(FLOWCONTROL_GROUP, 'v1', resource);
  if (!kind) return;
  const call = { from: 'apiserver', user: userForAddress('apiserver') };
  for (const want of wanted) {
    const name = want.metadata?.name ?? '';
    const target = { group: FLOWCONTROL_GROUP, version: 'v1', resource, name };
    const have = s.cache.resource(kind.gr).items.get(objectStorageKey(kind.gr, undefined, name)) as unknown as Spec | undefined;
    if (!have) {
      const r = await create(s, kind, { ...call, payload: { target: { ...target, name: undefined }, object: structuredClone(want) as unknown as KubeObject } });
      if (!r.ok && !isConflictOrExists(r)) s.log.warn('apiserver: could not create a flow-control bootstrap object', { resource, name, status: r.status.message });
      continue;
    }
    const auto = have.metadata?.annotations?.[AUTO_UPDATE_ANNOTATION] === 'true';
    if (!(mandatory(name) || auto) || deepEqual(have.spec, want.spec)) continue;
    const object = { ...have, spec: structuredClone(want.spec) } as unknown as KubeObject;
    const r = await update(s, kind, { ...call, payload: { target, object } });
    if (!r.ok) s.log.warn('apiserver: could not re-apply a flow-control bootstrap object', { resource, name, status: r.status.message });
  }
}

async function markDangling(s: ServerContext): Promise<void> {
  const kind = s.lookup(FLOWCONTROL_GROUP, 'v1', 'flowschemas');
  const levels = s.lookup(FLOWCONTROL_GROUP, 'v1', 'prioritylevelconfigurations');
  if (!kind || !levels) return;
  const call = { from: 'apiserver', user: userForAddress('apiserver') };
  const now = new Date(s.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  for (const obj of [...s.cache.resource(kind.gr).items.values()]) {
    const fs = obj as unknown as FlowSchema;
    const pl = fs.spec?.priorityLevelConfiguration?.name ?? '';
    const exists = s.cache.resource(levels.gr).items.has(objectStorageKey(levels.gr, undefined, pl));
    const want: FlowSchemaCondition = exists
      ? { type: 'Dangling', status: 'False', reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${pl}" and it exists` }
      : { type: 'Dangling', status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named "${pl}" but there is no such object` };
    const conditions = fs.status?.conditions ?? [];
    const have = conditions.find((c) => c.type === 'Dangling');
    if (have && have.status === want.status && have.reason === want.reason && have.message === want.message) continue;
    const next = [...conditions.filter((c) => c.type !== 'Dangling'), { ...want, lastTransitionTime: now }];
    const target = { group: FLOWCONTROL_GROUP, version: 'v1', resource: 'flowschemas', name: fs.metadata?.name ?? '', subresource: 'status' };
    const r = await update(s, kind, { ...call, payload: { target, object: { ...fs, status: { conditions: next } } as unknown as KubeObject } });
    if (!r.ok) s.log.warn('apiserver: could not write a FlowSchema\'s Dangling condition', { name: fs.metadata?.name, status: r.status.message });
  }
}
