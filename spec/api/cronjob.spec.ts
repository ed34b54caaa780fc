import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import { kindByResource, resolveResource } from '../../api/kinds.ts';
import { defaultCronJob, scheduleError, validateCronJob } from '../../api/kinds/batch/cronjob-rules.ts';
import { printerFor } from '../../api/tables/index.ts';

const cj = (schedule: string | undefined, withTemplate = true): CronJob =>
  ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default' },
    spec: {
      ...(schedule !== undefined ? { schedule } : {}),
      ...(withTemplate ? { jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'x' }] } } } } } : {}),
    },
  }) as CronJob;

test('batch/v1 CronJob is registered: cronjobs, short name cj, category all, status subresource', () => {
  const k = kindByResource('batch', 'cronjobs');
  assert.ok(k);
  assert.is(k!.kind, 'CronJob');
  assert.equal(k!.shortNames, ['cj']);
  assert.equal(k!.categories, ['all']);
  assert.ok(k!.hasStatus);
  assert.is(resolveResource('cj'), k);
});

test('defaults: Allow, not suspended, history 3 / 1; explicit values kept', () => {
  const d = defaultCronJob(cj('*/5 * * * *'));
  assert.equal([d.spec?.concurrencyPolicy, d.spec?.suspend, d.spec?.successfulJobsHistoryLimit, d.spec?.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  const e = defaultCronJob({ ...cj('@hourly'), spec: { ...cj('@hourly').spec!, concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 0 } });
  assert.equal([e.spec?.concurrencyPolicy, e.spec?.successfulJobsHistoryLimit], ['Forbid', 0]);
});

test('schedules: ranges, steps, lists, names and descriptors parse; others do not', () => {
  for (const s of ['*/1 * * * *', '0 9-17/2 * * MON-FRI', '5,35 0 1 JAN,jul *', '@hourly', '@daily', '@weekly', '@monthly', '@yearly']) {
    assert.is(scheduleError(s), null, s);
  }
  for (const s of ['', 'not a cron', '* * * *', '0 * * * * *', '61 * * * *', '@every-minute', 'TZ=UTC 0 * * * *']) {
    assert.ok(scheduleError(s), s);
  }
});

test('validation: schedule required and parseable, jobTemplate required', () => {
  assert.equal(validateCronJob(defaultCronJob(cj('*/1 * * * *'))), []);
  const fields = (o: CronJob) => validateCronJob(o).map((c) => c.field);
  assert.ok(fields(cj(undefined)).includes('spec.schedule'));
  assert.ok(fields(cj('every minute')).includes('spec.schedule'));
  assert.ok(fields(cj('* * * * *', false)).includes('spec.jobTemplate'));
  const bad = defaultCronJob(cj('* * * * *'));
  bad.spec!.concurrencyPolicy = 'Sometimes';
  assert.ok(fields(bad).includes('spec.concurrencyPolicy'));
  const zoned = defaultCronJob(cj('0 9 * * *'));
  zoned.spec!.timeZone = 'Europe/Paris';
  assert.equal(validateCronJob(zoned), []);
  zoned.spec!.timeZone = 'Mars/Olympus';
  assert.ok(fields(zoned).includes('spec.timeZone'));
});

test('table columns: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', () => {
  const names = printerFor('batch', 'cronjobs').columns.filter((c) => c.priority === 0 || c.priority === undefined).map((c) => c.name.toUpperCase());
  assert.equal(names, ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
});

test.run();
