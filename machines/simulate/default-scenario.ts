/**
 * The scenario `kubeactor simulate` runs without `--scenario`: two Deployments (one behind a
 * PodDisruptionBudget), a StatefulSet, a DaemonSet and a Job, then every 20 virtual minutes a
 * cycle of operator actions — scale up, roll out, scale the StatefulSet, cordon and drain a
 * node (each cycle the next one), uncordon it, scale back, delete and re-create the Job —
 * while the run's fault window lasts.
 */
import type { KubeManifest, Scenario, TimedAction } from './scenario.ts';
import { parseActions } from './scenario.ts';

const SIM = 'sim.kubeactor.io/';
const MIN = 60_000;
/** One cycle of actions. */
export const CYCLE_MS = 20 * MIN;

/** Pods give up an unreachable or not-ready node after 60 s (not the default 300 s), so node faults move them within a run. */
const tolerations = [
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
];

function deployment(name: string, replicas: number, image: string): KubeManifest {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }], tolerations } } },
  };
}

export function batchJob(): KubeManifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'batch', namespace: 'default' },
    spec: {
      completions: 4,
      parallelism: 2,
      backoffLimit: 100,
      template: {
        metadata: { annotations: { [`${SIM}exit-after-s`]: '30', [`${SIM}exit-code`]: '0' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox:1.36' }], tolerations },
      },
    },
  };
}

export function defaultManifests(): KubeManifest[] {
  const db = { app: 'db' };
  const agent = { app: 'agent' };
  return [
    deployment('web', 3, 'nginx:1.27'),
    deployment('api', 2, 'nginx:1.27'),
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: db, ports: [{ port: 5432 }] } },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: db }, template: { metadata: { labels: db }, spec: { containers: [{ name: 'db', image: 'postgres:17' }], tolerations } } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: { selector: { matchLabels: agent }, template: { metadata: { labels: agent }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36' }] } } },
    },
    batchJob(),
  ];
}

/** One cycle's actions, `k` counting cycles from 0 (the drained node and the image alternate). */
function cycle(k: number, nodes: number): string {
  const node = `node-${(k % nodes) + 1}`;
  const image = k % 2 === 0 ? 'nginx:1.28' : 'nginx:1.27';
  return `
    2m   scale deployment/web 5
    4m   rollout deployment/web app=${image}
    6m   scale statefulset/db 4
    8m   cordon ${node}
    8m   drain ${node}
    12m  uncordon ${node}
    13m  scale deployment/web 3
    13m  scale statefulset/db 3
    15m  delete job/batch
    16m  apply batch.yaml
  `;
}

/** The default scenario for a fault window of `windowMs` (cycles start within it) on `nodes` nodes. */
export function defaultScenario(windowMs: number, nodes: number): Scenario {
  const actions: TimedAction[] = [];
  for (let k = 0; k * CYCLE_MS < windowMs; k++) {
    for (const a of parseActions(cycle(k, nodes))) if (k * CYCLE_MS + a.at < windowMs) actions.push({ ...a, at: k * CYCLE_MS + a.at });
  }
  return { name: 'default', manifests: defaultManifests(), actions, files: { 'batch.yaml': [batchJob()] } };
}
