import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decide, observe, released, wrote, type LeaderElectionRecord, type Observed } from '../../../machines/leader-election/record.ts';

const rec = (holderIdentity: string, leaderTransitions = 0, at = '2025-01-01T00:00:00.000000Z'): LeaderElectionRecord => ({ holderIdentity, leaseDurationSeconds: 15, acquireTime: at, renewTime: at, leaderTransitions });
const none: Observed = { record: null, raw: '', at: 0 };

test('no Lease: create a fresh record, no transitions', () => {
  const d = decide('me', 15, none, false, 1_000);
  assert.equal(d, { type: 'create', record: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: '1970-01-01T00:00:01.000000Z', renewTime: '1970-01-01T00:00:01.000000Z', leaderTransitions: 0 } });
});

test('a foreign holder is valid for leaseDuration from when this candidate saw its record change, not from renewTime', () => {
  const o = observe(none, rec('other', 3), 10_000);
  assert.is(decide('me', 15, o, true, 24_999).type, 'hold');
  assert.is(decide('me', 15, o, true, 25_000).type, 'update');
  // The same record read again does not restart the count; a changed one does.
  assert.is(observe(o, rec('other', 3), 20_000), o);
  assert.is(observe(o, rec('other', 3, '2025-01-01T00:00:02.000000Z'), 20_000).at, 20_000);
});

test('taking a lock is one more transition; renewing keeps acquireTime and the count', () => {
  const taken = decide('me', 15, observe(none, rec('other', 3), 0), true, 20_000);
  assert.is(taken.type === 'update' && taken.record.leaderTransitions, 4);
  const mine = wrote(rec('me', 4), 20_000);
  const renewed = decide('me', 15, mine, true, 22_000);
  assert.ok(renewed.type === 'update');
  assert.is(renewed.type === 'update' && renewed.record.acquireTime, '2025-01-01T00:00:00.000000Z');
  assert.is(renewed.type === 'update' && renewed.record.leaderTransitions, 4);
});

test('an empty holder (a released lock) may be taken at once', () => {
  const o = observe(none, released(wrote(rec('other', 2), 0), 0), 1_000);
  assert.is(o.record!.leaseDurationSeconds, 1);
  assert.is(decide('me', 15, o, true, 1_000).type, 'update');
});

test.run();
