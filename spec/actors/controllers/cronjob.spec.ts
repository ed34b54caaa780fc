import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CronJob, CronJobSpec, Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { jobNameFor, mostRecentUnmet, nextScheduleTime } from '../../../machines/controllers/cronjob/schedule.ts';
import { cluster, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

/** A CronJob every minute whose Job pods exit after `exitS` seconds with `code`. */
function cronJob(name: string, spec: Partial<CronJobSpec>, exitS = 5, code = 0): KubeObject {
  const cj: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      ...spec,
      jobTemplate: {
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { annotations: { 'sim.kubeactor.io/exit-after-s': String(exitS), 'sim.kubeactor.io/exit-code': String(code) } },
            spec: { restartPolicy: 'Never', nodeName: 'node-1', containers: [{ name: 'tick', image: 'busybox' }] },
          },
        },
      },
    },
  };
  return cj as KubeObject;
}

const jobs = async () => (await c.list<Job>(targets.jobs('default'))).filter((j) => !j.metadata?.deletionTimestamp);
const getCj = async (name: string) => (await c.get<CronJob>(targets.cronjobs('default', name)))!;
const finished = (j: Job, type: string) => j.status?.conditions?.some((x) => x.type === type && x.status === 'True') ?? false;
const events = async (reason: string) => (await c.list<{ reason: string }>(targets.events('default'))).filter((e) => e.reason === reason);
const create = (o: KubeObject) => c.h.client().must('api.create', { target: targets.cronjobs('default'), object: o });

test('*/1: one Job each virtual minute, named <cronjob>-<minutes>, and the successful history trimmed to 3', async () => {
  c = await cluster('job,cronjob', { nodes: 1 });
  await create(cronJob('tick', {}));
  const t0 = c.h.clock.now();
  await c.advance(61_000, 1000);
  let js = await jobs();
  assert.is(js.length, 1);
  const minute = Math.floor(t0 / 60_000) + 1;
  assert.is(js[0]!.metadata?.name, `tick-${minute}`);
  assert.is(js[0]!.metadata?.ownerReferences?.[0]?.kind, 'CronJob');
  await c.advance(60_000, 1000);
  assert.is((await jobs()).length, 2);
  await c.advance(4 * 60_000 + 30_000, 1000);
  js = await jobs();
  assert.is(js.length, 3, js.map((j) => j.metadata?.name).join());
  assert.ok(js.every((j) => finished(j, 'Complete')));
  assert.equal(js.map((j) => j.metadata!.name!).sort(), [`tick-${minute + 3}`, `tick-${minute + 4}`, `tick-${minute + 5}`]);
  const cj = await getCj('tick');
  assert.is(cj.status?.lastScheduleTime, new Date((minute + 5) * 60_000).toISOString().replace('.000Z', 'Z'));
  assert.ok(cj.status?.lastSuccessfulTime);
  assert.is(cj.status?.active, undefined);
});

test('Forbid: no new Job while the previous one runs', async () => {
  c = await cluster('job,cronjob', { nodes: 1 });
  await create(cronJob('solo', { concurrencyPolicy: 'Forbid' }, 3600));
  await c.advance(3 * 60_000 + 1000, 1000);
  const js = await jobs();
  assert.is(js.length, 1);
  assert.is((await getCj('solo')).status?.active?.length, 1);
  assert.is((await events('JobAlreadyActive')).length, 1);
});

test('Replace: the running Job is deleted and a new one takes its place', async () => {
  c = await cluster('job,cronjob', { nodes: 1 });
  await create(cronJob('swap', { concurrencyPolicy: 'Replace' }, 3600));
  const minute = Math.floor(c.h.clock.now() / 60_000) + 1;
  await c.advance(3 * 60_000 + 1000, 1000);
  const js = await jobs();
  assert.equal(js.map((j) => j.metadata?.name), [`swap-${minute + 2}`]);
  const active = (await getCj('swap')).status?.active ?? [];
  assert.equal(active.map((r) => r.name), [`swap-${minute + 2}`]);
});

test('Allow runs Jobs side by side; failed history is trimmed to 1', async () => {
  c = await cluster('job,cronjob', { nodes: 1 });
  await create(cronJob('many', {}, 3600));
  await create(cronJob('oops', {}, 1, 1));
  await c.advance(3 * 60_000 + 10_000, 1000);
  const js = await jobs();
  assert.is(js.filter((j) => j.metadata?.name?.startsWith('many-')).length, 3);
  assert.is((await getCj('many')).status?.active?.length, 3);
  const oops = js.filter((j) => j.metadata?.name?.startsWith('oops-'));
  assert.is(oops.length, 1);
  assert.ok(finished(oops[0]!, 'Failed'));
});

test('suspend: no Jobs; a schedule missed past startingDeadlineSeconds is skipped', async () => {
  c = await cluster('job,cronjob', { nodes: 1 });
  await create(cronJob('paused', { suspend: true, startingDeadlineSeconds: 10 }));
  await c.advance(2 * 60_000 + 30_000, 1000);
  assert.is((await jobs()).length, 0);
  await c.h.client().must('api.patch', { target: targets.cronjobs('default', 'paused'), patchType: 'merge', patch: { spec: { suspend: false } } });
  await c.advance(20_000, 1000);
  // The 2-minute mark was 30 s ago: too late for a 10 s deadline.
  assert.is((await jobs()).length, 0);
  await c.advance(20_000, 1000);
  assert.is((await jobs()).length, 1);
});

test('schedule arithmetic: most recent unmet time, missed count, time zone, job name', () => {
  const at = (iso: string) => Date.parse(iso);
  const cj = (schedule: string, extra: Partial<CronJobSpec> = {}, last?: string): CronJob => ({
    metadata: { name: 'x', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { schedule, jobTemplate: {}, ...extra },
    ...(last ? { status: { lastScheduleTime: last } } : {}),
  });
  assert.equal(mostRecentUnmet(cj('@hourly'), at('2025-01-01T03:30:00Z')), { scheduled: at('2025-01-01T03:00:00Z'), missed: 3 });
  assert.equal(mostRecentUnmet(cj('@hourly', {}, '2025-01-01T03:00:00Z'), at('2025-01-01T03:30:00Z')), { scheduled: null, missed: 0 });
  assert.is(mostRecentUnmet(cj('*/1 * * * *', { startingDeadlineSeconds: 120 }), at('2025-01-01T05:00:30Z')).missed, 2);
  assert.is(mostRecentUnmet(cj('*/1 * * * *'), at('2025-01-02T00:00:00Z')).missed, 101);
  assert.is(nextScheduleTime(cj('0 9 * * *', { timeZone: 'Europe/Paris' }), at('2025-01-01T00:00:00Z')), at('2025-01-01T08:00:00Z'));
  assert.is(jobNameFor(cj('@hourly'), at('2025-01-01T03:00:00Z')), `x-${at('2025-01-01T03:00:00Z') / 60_000}`);
});

test.run();
