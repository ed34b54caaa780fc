/**
 * A cluster for controller specs: memory kv + apiserver, the chosen controllers, and
 * (optionally) sim nodes; helpers to advance virtual time and build workloads.
 */
import type { Deployment, DeploymentStrategy, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { start, type Harness } from '../apiserver/harness.ts';
import { startControllers, type RunningControllers } from '../../../actors/controllers/start.ts';
import { startSimNodes, type SimNodes } from '../../../actors/kubelet/index.ts';
import { targets } from '../../../actors/client/index.ts';
import type { Pace } from '../../helpers/wait.ts';

export { targets };

export interface Cluster {
  h: Harness;
  controllers: RunningControllers;
  nodes: SimNodes | null;
  advance(ms: number, step?: number): Promise<void>;
  /** Virtual time for `eventually`: each pause advances the clock (in `step`s, as `advance`). */
  pace(step?: number): Pace;
  list<T = KubeObject>(target: ApiTarget, labelSelector?: string): Promise<T[]>;
  get<T = KubeObject>(target: ApiTarget): Promise<T | null>;
  close(): Promise<void>;
}

export async function cluster(
  controllers: string,
  opts: { nodes?: number; options?: Record<string, Record<string, unknown>>; apiserver?: Parameters<typeof start>[0] } = {},
): Promise<Cluster> {
  const h = await start(opts.apiserver);
  const nodes = opts.nodes ? await startSimNodes({ host: h.host, clock: h.clock, count: opts.nodes, namePrefix: 'node-', lister: h.client().port }) : null;
  const running = startControllers(h.host, { controllers, ...(opts.options ? { options: opts.options } : {}) });
  await h.settle();
  const c: Cluster = {
    h,
    controllers: running,
    nodes,
    async advance(ms, step = 100) {
      for (let done = 0; done < ms; done += step) {
        await h.clock.advance(Math.min(step, ms - done));
        await h.settle();
      }
    },
    pace: (step) => ({ now: () => h.clock.now(), sleep: (ms) => c.advance(ms, step) }),
    async list<T>(target: ApiTarget, labelSelector?: string) {
      const r = await h.client().must('api.list', { target, ...(labelSelector ? { options: { labelSelector } } : {}) });
      return (r.items ?? []) as T[];
    },
    async get<T>(target: ApiTarget) {
      const r = await h.client().call('api.get', { target });
      return r.ok ? (r.value as T) : null;
    },
    async close() {
      running.stop();
      nodes?.stop();
      await h.close();
    },
  };
  return c;
}

export function replicaSet(name: string, replicas: number, labels: Record<string, string> = { app: name }, nodeName?: string): KubeObject {
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...(nodeName ? { nodeName } : {}) } },
    },
  };
  return rs as KubeObject;
}

export function deployment(name: string, replicas: number, extra: { image?: string; nodeName?: string; strategy?: DeploymentStrategy; minReadySeconds?: number; revisionHistoryLimit?: number; progressDeadlineSeconds?: number } = {}): KubeObject {
  const labels = { app: name };
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      ...(extra.strategy ? { strategy: extra.strategy } : {}),
      ...(extra.minReadySeconds !== undefined ? { minReadySeconds: extra.minReadySeconds } : {}),
      ...(extra.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: extra.revisionHistoryLimit } : {}),
      ...(extra.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: extra.progressDeadlineSeconds } : {}),
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: extra.image ?? 'nginx:1.27' }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
      },
    },
  };
  return d as KubeObject;
}

export const activePods = (pods: Pod[]) => pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
