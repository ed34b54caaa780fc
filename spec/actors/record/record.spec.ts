import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_STRUCTURES } from '../../../actors/record/body.ts';
import { crc32Fallback, crc32 } from '../../../actors/record/crc.ts';
import { readLog } from '../../../actors/record/reader.ts';
import { redact, REDACTED } from '../../../actors/record/redact.ts';
import { LogWriter } from '../../../actors/record/writer.ts';
import { createCodec, PROTOCOL_VERSION, STRUCTURES_V1 } from '../../../bus/codec.ts';
import { LOG_FORMAT_VERSION } from '../../../actors/record/format.ts';
import { REPLY } from '../../../base/envelope.ts';
import { runKv } from './kv-run.ts';

const GOLDEN_LOG = fileURLToPath(new URL('../../fixtures/golden/cluster.log', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-record-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a recorded run reads back entry by entry: header, starts, messages, attributed timers', async () => {
  const file = join(dir, 'kv.log');
  const { rec } = await runKv(file);
  const log = readLog(file);
  assert.equal(log.warnings, []);
  const h = log.headers[0]!;
  assert.is(h.protocol, PROTOCOL_VERSION);
  assert.equal(h.structures, LOG_STRUCTURES.map((s) => [...s]));
  assert.equal(h.structures.slice(0, STRUCTURES_V1.length), STRUCTURES_V1.map((s) => [...s]), 'the bus table comes first');
  assert.is(h.clusterId, 'spec');
  assert.is(h.identity.pid, process.pid);
  assert.is(log.entries.length, rec.count);
  assert.equal(log.entries.map((e) => e.n), log.entries.map((_, k) => k + 1));
  const starts = log.entries.filter((e) => e.kind === 'start');
  assert.equal(starts.map((e) => e.kind === 'start' && [e.address, e.machine]), [['kv', 'kv'], ['worker.1', 'counter']]);
  const txns = log.entries.filter((e) => e.kind === 'msg' && e.type === 'kv.txn');
  assert.is(txns.length, 6);
  const firstTxn = txns[0]!;
  assert.ok(firstTxn.kind === 'msg' && firstTxn.from === 'apiserver' && firstTxn.to === 'kv' && firstTxn.corr === 'apiserver#2');
  // Two 30 s probe periods passed: the kv chart's timers, attributed to it.
  const kvTimers = log.entries.filter((e) => e.kind === 'timer' && e.actor === 'kv');
  assert.is(kvTimers.length, 2);
  assert.ok(log.entries.some((e) => e.kind === 'msg' && e.type === 'sys.ping' && e.from === 'kv'));
  assert.ok(log.entries.some((e) => e.kind === 'stop' && e.address === 'kv'));
});

test('turns: a request and its reply are delivered in different bus drains; turns only go up', async () => {
  const file = join(dir, 'turns.log');
  await runKv(file);
  const { entries } = readLog(file);
  const turns = entries.map((e) => e.turn!);
  assert.ok(turns.every((t, k) => t >= 1 && (k === 0 || t >= turns[k - 1]!)), `turns in order: ${turns.join(',')}`);
  const txns = entries.filter((e) => e.kind === 'msg' && e.type === 'kv.txn');
  assert.is(txns.length, 6);
  for (const req of txns) {
    const reply = entries.find((e) => e.kind === 'msg' && e.type === REPLY && e.corr === (req.kind === 'msg' && req.corr));
    assert.ok(reply && reply.turn! > req.turn!, `the reply to ${req.kind === 'msg' && req.corr} comes in a later turn`);
  }
  // Each txn's commit notifies the watch in the kv's own turn: never alone in it.
  assert.ok(new Set(turns).size < turns.length, 'some entries share a turn');
});

test('Secret data and bearer tokens are redacted unless recordSecrets is set', async () => {
  const file = join(dir, 'red.log');
  await runKv(file);
  const text = readFileSync(file).toString('latin1');
  assert.not.ok(text.includes('aHVudGVyMg=='));
  const kept = join(dir, 'kept.log');
  await runKv(kept, { recordSecrets: true });
  assert.ok(readFileSync(kept).toString('latin1').includes('aHVudGVyMg=='));
  assert.ok(readLog(kept).headers[0]!.secrets);
  const r = redact({ headers: { authorization: 'Bearer abc.def' }, note: 'Bearer xyz', obj: { kind: 'Secret', stringData: { a: 'b' }, data: { c: 'ZA==' } }, n: 1 });
  assert.equal(r, { headers: { authorization: REDACTED }, note: `Bearer ${REDACTED}`, obj: { kind: 'Secret', stringData: { a: REDACTED }, data: { c: REDACTED } }, n: 1 });
});

test('the writer redacts as redact() does, in small and large values, the first time and when seen again', () => {
  const file = join(dir, 'redact-writer.log');
  const pad = { labels: Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`label-${k}`, `value-${k}`])) };
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', resourceVersion: '5', ...pad }, data: { password: 'aHVudGVyMg==' }, type: 'Opaque' };
  const payloads: unknown[] = [
    { headers: { authorization: 'Bearer abc.def' }, note: 'Bearer xyz' },
    { kind: 'List', items: [secret, { ...secret, metadata: { ...secret.metadata, name: 't' } }], ...pad },
    { status: { token: 'eyJhbGciOi', expirationTimestamp: '2026-01-01T00:00:00Z' }, spec: { audiences: ['x'] }, ...pad },
    { spec: { volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] } }], ...pad }, user: { Password: 'p4ss', 'Client-Key-Data': 'LS0t' } },
    { deep: { deeper: { a: 'Bearer tok', secret: 'shh', bearerToken: 'tkn', 'to\u212aen': 'kelvin' } }, ...pad },
    'Bearer bare',
    // Objects are interned member by member: a Secret whose data comes before its kind, a credential at each level of an object, a token beside a list's objects.
    { data: { password: 'ZGF0YWZpcnN0' }, apiVersion: 'v1', kind: 'Secret', metadata: { name: 'd', resourceVersion: '6', ...pad } },
    { apiVersion: 'v1', kind: 'Thing', metadata: { name: 'x', resourceVersion: '7', annotations: { token: 'annotok' }, ...pad }, spec: { password: 'lvl1pw', nested: { authorization: 'lvl0auth', ...pad }, ...pad }, status: { note: 'Bearer statustok', ...pad } },
    { kind: 'List', items: [{ ...secret, metadata: { ...secret.metadata, name: 'u' } }, 'Bearer listtok'], ...pad },
  ];
  const w = new LogWriter({ file, clusterId: 'c', identity: { name: 't', pid: 1, hostname: 'h' }, startedAt: 0 });
  for (let round = 0; round < 2; round++) {
    payloads.forEach((payload, k) => w.append({ kind: 'msg', at: k, seq: k + 1, from: 'a', to: 'b', type: 't', payload }, round === 1));
  }
  w.close();
  const { entries } = readLog(file);
  assert.is(entries.length, payloads.length * 2);
  entries.forEach((e, k) => assert.equal(e.kind === 'msg' && e.payload, redact(payloads[k % payloads.length]), `entry ${k + 1}`));
  const text = readFileSync(file).toString('latin1');
  for (const s of ['aHVudGVyMg==', 'abc.def', 'eyJhbGciOi', 'p4ss', 'LS0t', 'shh', 'tkn', 'Bearer tok', 'Bearer bare', 'kelvin', 'ZGF0YWZpcnN0', 'annotok', 'lvl1pw', 'lvl0auth', 'statustok', 'listtok']) assert.not.ok(text.includes(s), s);
});

test('a log cut mid-entry still reads every whole entry, with a warning', async () => {
  const file = join(dir, 'torn.log');
  const { rec } = await runKv(file);
  truncateSync(file, statSync(file).size - 3);
  const log = readLog(file);
  assert.is(log.entries.length, rec.count - 1);
  assert.is(log.warnings.length, 1);
  assert.match(log.warnings[0]!, /torn frame/);
  // A flipped byte inside a body: cut at that frame.
  const bad = join(dir, 'bad.log');
  const buf = readFileSync(join(dir, 'kv.log'));
  buf[buf.length - 20] = buf[buf.length - 20]! ^ 0xff;
  writeFileSync(bad, buf);
  const b = readLog(bad);
  assert.ok(b.entries.length >= rec.count - 2 && b.entries.length < rec.count);
  assert.match(b.warnings[0]!, /bad checksum/);
  // Garbage or an empty file: warnings, never a throw.
  writeFileSync(join(dir, 'empty.log'), '');
  assert.is(readLog(join(dir, 'empty.log')).entries.length, 0);
  assert.is(readLog(join(dir, 'missing.log')).warnings.length, 1);
});

test('rotation by size: FILE, FILE.1, FILE.2 … each with a header; n continues', () => {
  const file = join(dir, 'rot.log');
  const w = new LogWriter({ file, clusterId: 'c', identity: { name: 't', pid: 1, hostname: 'h' }, startedAt: 0, maxBytes: 2000 });
  for (let k = 0; k < 100; k++) w.append({ kind: 'msg', at: k, seq: k + 1, from: 'a', to: 'b', type: 'sys.ping', payload: { n: k, pad: 'x'.repeat(40) } });
  w.close();
  assert.ok(existsSync(`${file}.1`) && existsSync(`${file}.2`));
  for (const p of [file, `${file}.1`, `${file}.2`]) {
    assert.ok(statSync(p).size <= 2000, p);
    // A recording holds cluster state (Secrets too, with --record-secrets): only its owner reads it.
    assert.is(statSync(p).mode & 0o777, 0o600, `${p} is private`);
  }
  const log = readLog(file);
  assert.is(log.entries.length, 100);
  assert.equal(log.headers.map((h) => h.part), log.headers.map((_, k) => k));
  assert.equal(log.entries.map((e) => e.n), Array.from({ length: 100 }, (_, k) => k + 1));
  // A new recording at the same path removes the old parts.
  new LogWriter({ file, clusterId: 'c', identity: { name: 't', pid: 1, hostname: 'h' }, startedAt: 0 }).close();
  assert.not.ok(existsSync(`${file}.1`));
});

test('each object is written once per part: the log of a whole cluster reads back entry for entry, smaller; a format 1 log still reads', () => {
  // The golden log is format 1 (or 2, once re-recorded): written again, every entry must read back equal.
  const golden = readLog(GOLDEN_LOG);
  assert.equal(golden.warnings, []);
  const file = join(dir, 'again.log');
  const w = new LogWriter({ file, clusterId: 'c', identity: { name: 't', pid: 1, hostname: 'h' }, startedAt: 0, secrets: true });
  for (const { n: _n, ...e } of golden.entries) w.append(e as never);
  w.close();
  const again = readLog(file);
  assert.equal(again.warnings, []);
  assert.is(again.headers[0]!.format, LOG_FORMAT_VERSION);
  assert.is(again.entries.length, golden.entries.length);
  for (let k = 0; k < golden.entries.length; k++) assert.equal(again.entries[k], golden.entries[k], `entry ${k + 1}`);
  // One pod object in a kv.txn, the kv's event, each watcher's event and the pod actor's input: written once.
  assert.ok(statSync(file).size * 3 < naiveSize(golden.entries), `${statSync(file).size} bytes against ${naiveSize(golden.entries)} written whole`);
  // A part cut mid-frame still reads every whole entry before it: references only point backwards.
  truncateSync(file, statSync(file).size - 5);
  const torn = readLog(file);
  assert.is(torn.entries.length, golden.entries.length - 1);
  assert.match(torn.warnings[0]!, /torn frame/);
});

test('a log of an unknown format is refused with a message naming its format', () => {
  const file = join(dir, 'future.log');
  new LogWriter({ file, clusterId: 'c', identity: { name: 't', pid: 1, hostname: 'h' }, startedAt: 0 }).close();
  const buf = readFileSync(file);
  const head = JSON.parse(buf.subarray(8).toString('utf8')) as { format: number };
  head.format = 99;
  const body = Buffer.from(JSON.stringify(head), 'utf8');
  const f = Buffer.alloc(8 + body.length);
  f.writeUInt32LE(body.length, 0);
  f.writeUInt32LE(crc32(body), 4);
  body.copy(f, 8);
  writeFileSync(file, f);
  const log = readLog(file);
  assert.is(log.entries.length, 0);
  assert.match(log.warnings[0]!, /log format 99\/protocol 1; this build reads formats 1 and 2/);
});

/** Bytes of the entries each encoded alone (format 1's way). */
function naiveSize(entries: readonly unknown[]): number {
  const codec = createCodec(LOG_STRUCTURES);
  return entries.reduce<number>((sum, e) => sum + codec.encode(e).length + 8, 0);
}

test('crc32: zlib and the fallback agree', () => {
  const data = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
  assert.is(crc32Fallback(data), 0x414fa339);
  assert.is(crc32(data), 0x414fa339);
});

test.run();
