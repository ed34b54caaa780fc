import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { leaderElectFrom, withLeaderElectDefault } from '../../cli/leader-elect-flags.ts';
import { roleFlag } from '../../cli/roles.ts';

test('defaults as kube-scheduler and kube-controller-manager: on, 15s / 10s / 2s, kube-system', () => {
  assert.equal(leaderElectFrom({}), { enabled: true, namespace: 'kube-system', timing: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } });
  assert.equal(withLeaderElectDefault(['--leader-elect', '--x']), ['--leader-elect=true', '--x']);
  assert.is(leaderElectFrom({ 'leader-elect': 'false' }).enabled, false);
});

test("client-go's checks, in its words", () => {
  assert.throws(() => leaderElectFrom({ 'leader-elect-lease-duration': '10s' }), /leaseDuration must be greater than renewDeadline/);
  assert.throws(() => leaderElectFrom({ 'leader-elect-retry-period': '9s' }), /renewDeadline must be greater than retryPeriod\*JitterFactor/);
  assert.throws(() => leaderElectFrom({ 'leader-elect-resource-lock': 'endpoints' }), /only "leases"/);
  assert.throws(() => leaderElectFrom({ 'leader-elect': 'yes' }), /must be true or false/);
  // Off, the timings are not checked (upstream validates them only when leader election is on).
  assert.is(leaderElectFrom({ 'leader-elect': 'false', 'leader-elect-lease-duration': '1s' }).enabled, false);
});

test('--role', () => {
  assert.is(roleFlag(undefined), 'all');
  assert.is(roleFlag('scheduler'), 'scheduler');
  assert.throws(() => roleFlag('etcd'), /--role must be one of all, apiserver, scheduler, controller-manager/);
});

test.run();
