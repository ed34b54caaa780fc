import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { calculateStatus } from '../../../machines/controllers/replicaset/status.ts';

const rs: ReplicaSet = { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } } };
const failed = (pod: string) => ({ reason: 'FailedCreate' as const, message: `pods "${pod}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1` });

test('ReplicaFailure: recorded once and kept while creates keep failing (each failure names another generated pod); removed on success', () => {
  const first = calculateStatus(rs, [], failed('web-abcde'), 1_000);
  const cond = first.conditions?.find((c) => c.type === 'ReplicaFailure');
  assert.is(cond?.message, failed('web-abcde').message);
  const again = calculateStatus({ ...rs, status: first }, [], failed('web-fghij'), 9_000);
  assert.equal(again.conditions, first.conditions, 'the same status: no write, no resync');
  const healed = calculateStatus({ ...rs, status: first }, [], null, 10_000);
  assert.equal(healed.conditions ?? [], []);
});

test.run();
