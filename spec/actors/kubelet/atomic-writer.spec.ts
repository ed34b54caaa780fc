import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomic, payloadPathError } from '../../../actors/kubelet/volumes/atomic-writer.ts';
import type { Payload } from '../../../machines/kubelet/volumes/payload.ts';

const file = (s: string, mode = 0o644) => ({ data: new TextEncoder().encode(s), mode });
const T0 = Date.UTC(2026, 11, 4, 7, 30, 0);
let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubeactor-aw-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

test('the first write: a timestamped directory, ..data pointing at it, user-visible links through ..data', async () => {
  assert.ok(await writeAtomic(dir, new Map([['a', file('1')], ['sub/b', file('2', 0o600)]]) as Payload, T0));
  const ts = readlinkSync(join(dir, '..data'));
  assert.match(ts, /^\.\.2026_12_04_07_30_00\./);
  assert.is(readlinkSync(join(dir, 'a')), '..data/a');
  assert.is(readlinkSync(join(dir, 'sub')), '..data/sub');
  assert.is(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
  assert.is(lstatSync(join(dir, ts, 'sub/b')).mode & 0o777, 0o600);
});

test('an unchanged payload writes nothing; a change swaps ..data, drops removed names and the old directory', async () => {
  await writeAtomic(dir, new Map([['a', file('1')], ['b', file('2')]]) as Payload, T0);
  const first = readlinkSync(join(dir, '..data'));
  assert.not.ok(await writeAtomic(dir, new Map([['a', file('1')], ['b', file('2')]]) as Payload, T0 + 1000));
  assert.ok(await writeAtomic(dir, new Map([['a', file('1', 0o400)], ['b', file('2')]]) as Payload, T0 + 2000), 'a mode change is a change');
  assert.ok(await writeAtomic(dir, new Map([['a', file('9')]]) as Payload, T0 + 3000));
  assert.is.not(readlinkSync(join(dir, '..data')), first);
  assert.is(readFileSync(join(dir, 'a'), 'utf8'), '9');
  assert.not.ok(existsSync(join(dir, 'b')), 'b is gone');
  assert.equal(readdirSync(dir).filter((n) => n.startsWith('..2')).length, 1, 'one timestamped directory left');
});

test('paths that would escape or collide with the writer\'s own names are refused', async () => {
  assert.is(payloadPathError('../x'), "invalid path: must not contain '..': ../x");
  assert.is(payloadPathError('/x'), 'invalid path: must be relative path: /x');
  assert.is(payloadPathError('..data'), "invalid path: must not start with '..': ..data");
  assert.is(payloadPathError('ok/x'), null);
  try {
    await writeAtomic(dir, new Map([['../x', file('1')]]) as Payload, T0);
    assert.unreachable('should throw');
  } catch (err) {
    assert.match(String(err), /must not contain '\.\.'/);
  }
});

test.run();
