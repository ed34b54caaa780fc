/**
 * The audit log backend on a real directory: buffered lines reach the file in order, the
 * file rotates by size into lumberjack's names, old backups go by count and by age, and a
 * log that cannot be written is reported once and counted without throwing at the writer.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, backupName } from '../../../../actors/apiserver/audit/log.ts';

const root = mkdtempSync(join(tmpdir(), 'kubeactor-audit-log-'));
let n = 0;
const fresh = () => mkdtempSync(join(root, `d${n++}-`));
const MB = 1024 * 1024;
/** A line of `bytes` bytes (newline included) numbered `i`. */
const line = (i: number, bytes: number) => `{"i":"${String(i).padStart(6, '0')}","pad":"${'x'.repeat(bytes - 24)}"}\n`;

test('lines are buffered and appended in order; the file is made 0600', async () => {
  const dir = fresh();
  const log = new AuditLog({ path: join(dir, 'audit.log') });
  assert.is(statSync(join(dir, 'audit.log')).mode & 0o777, 0o600);
  for (let i = 0; i < 100; i++) log.write(line(i, 100));
  assert.is(readFileSync(join(dir, 'audit.log'), 'utf8'), '', 'nothing is written in the writer\'s turn');
  await log.close();
  const lines = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n');
  assert.is(lines.length, 100);
  assert.equal(lines.map((l) => Number(JSON.parse(l).i)), [...Array(100).keys()]);
  assert.is(log.errors, 0);
});

test('past --audit-log-maxsize the file is renamed <name>-<UTC time>.log and a new one begun; no line is split or lost', async () => {
  const dir = fresh();
  const path = join(dir, 'audit.log');
  let t = Date.parse('2026-12-04T15:04:05.000Z');
  const log = new AuditLog({ path, maxSizeMB: 1, now: () => (t += 1000) });
  // 2500 lines of 1 KiB: 2.44 MiB, so two full files of 1 MiB and the rest.
  for (let i = 0; i < 2500; i++) log.write(line(i, 1024));
  await log.close();
  const files = readdirSync(dir).sort();
  assert.equal(files, ['audit-2026-12-04T15-04-06.000.log', 'audit-2026-12-04T15-04-07.000.log', 'audit.log']);
  const all: number[] = [];
  for (const f of files) {
    const size = statSync(join(dir, f)).size;
    assert.ok(size <= MB, `${f} holds ${size} bytes`);
    all.push(...readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => Number(JSON.parse(l).i)));
  }
  assert.equal(all, [...Array(2500).keys()], 'every line once, in order across the files');
  assert.is(statSync(join(dir, 'audit-2026-12-04T15-04-06.000.log')).size, 1024 * 1024);
});

test('rotations within one millisecond keep every backup: the later one is named a millisecond on', async () => {
  const dir = fresh();
  const path = join(dir, 'audit.log');
  const log = new AuditLog({ path, maxSizeMB: 1, now: () => Date.parse('2026-12-04T15:04:05.000Z') });
  for (let i = 0; i < 3500; i++) log.write(line(i, 1024));
  await log.close();
  const files = readdirSync(dir).sort();
  assert.equal(files, ['audit-2026-12-04T15-04-05.000.log', 'audit-2026-12-04T15-04-05.001.log', 'audit-2026-12-04T15-04-05.002.log', 'audit.log']);
  const all = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => Number(JSON.parse(l).i)));
  assert.equal(all, [...Array(3500).keys()], 'every line once, in order across the files');
});

test('--audit-log-maxbackup keeps the newest backups; --audit-log-maxage removes older ones', async () => {
  const dir = fresh();
  const path = join(dir, 'audit.log');
  const start = Date.parse('2026-12-04T15:04:05.000Z');
  // A backup from ten days ago, and one left by some other program (never touched).
  writeFileSync(backupName(path, start - 10 * 24 * 3600 * 1000), 'old\n');
  writeFileSync(join(dir, 'audit-notes.log'), 'mine\n');
  let t = start;
  const log = new AuditLog({ path, maxSizeMB: 1, maxBackups: 2, maxAgeDays: 7, now: () => (t += 1000) });
  for (let i = 0; i < 5000; i++) log.write(line(i, 1024));
  await log.close();
  assert.equal(readdirSync(dir).sort(), ['audit-2026-12-04T15-04-08.000.log', 'audit-2026-12-04T15-04-09.000.log', 'audit-notes.log', 'audit.log']);

  const aged = fresh();
  const agedPath = join(aged, 'audit.log');
  writeFileSync(backupName(agedPath, start - 10 * 24 * 3600 * 1000), 'old\n');
  writeFileSync(backupName(agedPath, start - 2 * 24 * 3600 * 1000), 'recent\n');
  let u = start;
  const log2 = new AuditLog({ path: agedPath, maxSizeMB: 1, maxAgeDays: 7, now: () => (u += 1000) });
  for (let i = 0; i < 1100; i++) log2.write(line(i, 1024));
  await log2.close();
  assert.equal(readdirSync(aged).sort(), ['audit-2026-12-02T15-04-05.000.log', 'audit-2026-12-04T15-04-06.000.log', 'audit.log']);
});

test('a log that cannot be written is reported once and counted; the writer never throws', async () => {
  const dir = fresh();
  const path = join(dir, 'audit.log');
  const reports: string[] = [];
  const log = new AuditLog({ path, report: (m) => reports.push(m) });
  // A directory where the file was: every append fails (modes would not stop root).
  rmSync(path);
  mkdirSync(path);
  for (let i = 0; i < 3; i++) log.write(line(i, 100));
  await log.flush();
  for (let i = 0; i < 2; i++) log.write(line(i, 100));
  await log.close();
  assert.is(log.errors, 5);
  assert.is(reports.length, 1, reports.join('\n'));
  assert.match(reports[0]!, `audit: cannot write the audit log ${path}: `);
  assert.match(reports[0]!, 'apiserver_audit_error_total');
});

test.after(() => rmSync(root, { recursive: true, force: true }));

test.run();
