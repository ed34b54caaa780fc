import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { cluster, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

/** A Job whose pods run on node-1 and exit after `exitS` seconds with `code`. */
function job(name: string, spec: Partial<JobSpec>, exitS = 5, code = 0): KubeObject {
  const j: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      ...spec,
      template: {
        metadata: { annotations: { 'sim.kubeactor.io/exit-after-s': String(exitS), 'sim.kubeactor.io/exit-code': String(code) } },
        spec: { restartPolicy: 'Never', nodeName: 'node-1', containers: [{ name: 'work', image: 'busybox' }] },
      },
    },
  };
  return j as KubeObject;
}

const getJob = async (name: string) => (await c.get<Job>(targets.jobs('default', name)))!;
const podsOf = async (name: string) => c.list<Pod>(targets.pods('default'), `batch.kubernetes.io/job-name=${name}`);
const condition = (j: Job, type: string) => j.status?.conditions?.find((x) => x.type === type && x.status === 'True');
const events = async (reason: string) => (await c.list<{ reason: string; message: string }>(targets.events('default'))).filter((e) => e.reason === reason);

test('completions 3, parallelism 2: at most two at a time, then Complete', async () => {
  c = await cluster('job', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.jobs('default'), object: job('calc', { completions: 3, parallelism: 2 }) });
  await c.advance(1000);
  assert.is((await podsOf('calc')).length, 2);
  assert.is((await getJob('calc')).status?.active, 2);
  await c.advance(30_000, 500);
  const j = await getJob('calc');
  assert.ok(condition(j, 'Complete'), JSON.stringify(j.status));
  assert.is(j.status?.succeeded, 3);
  assert.is(j.status?.active ?? 0, 0);
  assert.ok(j.status?.completionTime);
  assert.is((await podsOf('calc')).length, 3);
  assert.is((await events('Completed')).length, 1);
  assert.is((await events('SuccessfulCreate')).length, 3);
});

test('backoffLimit 2 with a failing pod: three pods, backoff between them, then Failed BackoffLimitExceeded', async () => {
  c = await cluster('job', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.jobs('default'), object: job('bad', { backoffLimit: 2 }, 1, 1) });
  await c.advance(5000, 500);
  // The first failure (at ~1 s) is followed by a 10 s backoff: still one pod.
  assert.is((await podsOf('bad')).length, 1);
  await c.advance(120_000, 1000);
  const j = await getJob('bad');
  const failed = condition(j, 'Failed');
  assert.ok(failed, JSON.stringify(j.status));
  assert.is(failed!.reason, 'BackoffLimitExceeded');
  assert.is(j.status?.failed, 3);
  assert.is((await podsOf('bad')).length, 3);
  assert.is((await events('BackoffLimitExceeded')).length, 1);
});

test('activeDeadlineSeconds: Failed DeadlineExceeded and the running pods are deleted', async () => {
  c = await cluster('job', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.jobs('default'), object: job('slow', { activeDeadlineSeconds: 10, parallelism: 2, completions: 2 }, 3600) });
  await c.advance(5000, 500);
  assert.not.ok(condition(await getJob('slow'), 'Failed'));
  await c.advance(10_000, 500);
  const j = await getJob('slow');
  assert.is(condition(j, 'Failed')?.reason, 'DeadlineExceeded');
  assert.is(j.status?.active ?? 0, 0);
  await c.advance(35_000, 1000);
  const live = (await podsOf('slow')).filter((p) => !p.metadata?.deletionTimestamp);
  assert.is(live.length, 0);
});

test('Indexed completion: one pod per index 0..n-1 with annotation, label and hostname', async () => {
  c = await cluster('job', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.jobs('default'), object: job('idx', { completions: 4, parallelism: 4, completionMode: 'Indexed' }) });
  await c.advance(30_000, 500);
  const j = await getJob('idx');
  assert.ok(condition(j, 'Complete'), JSON.stringify(j.status));
  assert.is(j.status?.completedIndexes, '0-3');
  const pods = await podsOf('idx');
  const idx = pods.map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
  assert.equal(idx, ['0', '1', '2', '3']);
  for (const p of pods) {
    const i = p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'];
    assert.is(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], i);
    assert.is(p.spec?.hostname, `idx-${i}`);
  }
});

test('ttlSecondsAfterFinished deletes the finished Job', async () => {
  c = await cluster('job,ttl-after-finished,garbage-collector', { nodes: 1 });
  await c.h.client().must('api.create', { target: targets.jobs('default'), object: job('short', { ttlSecondsAfterFinished: 30 }, 2) });
  await c.advance(10_000, 500);
  assert.ok(condition(await getJob('short'), 'Complete'));
  await c.advance(15_000, 1000);
  assert.ok(await c.get(targets.jobs('default', 'short')), 'kept until the TTL');
  await c.advance(30_000, 1000);
  assert.is(await c.get(targets.jobs('default', 'short')), null);
});

test.run();
