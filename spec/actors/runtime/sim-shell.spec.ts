/**
 * The sim shell that answers `kubectl exec` in sim containers: scripts with ; && || and
 * pipes, variables, exit codes, and tar archives that round-trip its in-memory files (what
 * `kubectl cp` relies on).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { SimFiles } from '../../../actors/runtime/sim-shell/files.ts';
import { runProcess, type SimProcess } from '../../../actors/runtime/sim-shell/shell.ts';
import { packTar, unpackTar } from '../../../actors/runtime/sim-shell/tar.ts';

function proc(files = new SimFiles(() => 0), stdin?: Buffer) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (d: Buffer) => out.push(d));
  const stderr = new PassThrough().on('data', (d: Buffer) => err.push(d));
  const p: SimProcess = {
    env: [['PATH', '/bin'], ['HOSTNAME', 'box'], ['NAME', 'world']], hostname: 'box', cwd: '/', files,
    stdin: stdin ? new PassThrough().end(stdin) : undefined, stdout, stderr,
    sleep: async () => {}, terminalSize: async () => null,
  };
  return { p, files, out: () => Buffer.concat(out), err: () => Buffer.concat(err).toString() };
}

test('scripts: ; && || run as sh runs them, variables expand, exit ends the script with its code', async () => {
  const h = proc();
  assert.is(await runProcess(['sh', '-c', 'echo "hi $NAME"; false && echo no || echo yes; exit 7; echo never'], h.p), 7);
  assert.is(h.out().toString(), 'hi world\nyes\n');
  const quoted = proc();
  assert.is(await runProcess(['sh', '-c', "echo '$NAME' ${NAME}"], quoted.p), 0);
  assert.is(quoted.out().toString(), '$NAME world\n');
  const missing = proc();
  assert.is(await runProcess(['sh', '-c', 'nosuch'], missing.p), 127);
  assert.is(missing.err(), 'sh: nosuch: not found\n');
});

test('tar c then tar x copies a directory between two containers\' files, through a pipe to tail -c+1', async () => {
  const a = proc();
  a.files.write('/data/one.txt', Buffer.from('one\n'));
  a.files.write('/data/sub/two.txt', Buffer.from('two\n'));
  assert.is(await runProcess(['sh', '-c', 'tar cf - /data | tail -c+1'], a.p), 0);
  const archive = a.out();
  assert.equal(unpackTar(archive).map((e) => `${e.type}:${e.name}`), ['dir:data', 'file:data/one.txt', 'dir:data/sub', 'file:data/sub/two.txt']);
  const b = proc(new SimFiles(() => 0), archive);
  assert.is(await runProcess(['tar', '-xmf', '-', '-C', '/restore'], b.p), 0);
  assert.is(b.files.read('/restore/data/sub/two.txt')?.toString(), 'two\n');
  assert.is(await runProcess(['test', '-d', '/restore/data'], b.p), 0);
  assert.is(await runProcess(['test', '-d', '/restore/data/one.txt'], b.p), 1);
});

test('tar reads long names and refuses members that escape the target directory', async () => {
  const long = `${'d'.repeat(90)}/${'f'.repeat(60)}.txt`;
  const archive = packTar([{ name: long, type: 'file', data: Buffer.from('x'), mode: 0o644, mtime: 0 }, { name: '../../etc/evil', type: 'file', data: Buffer.from('e'), mode: 0o644, mtime: 0 }]);
  assert.is(unpackTar(archive)[0]!.name, long);
  const h = proc(new SimFiles(() => 0), archive);
  assert.is(await runProcess(['tar', 'xf', '-', '-C', '/tmp'], h.p), 0);
  assert.is(h.files.read(`/tmp/${long}`)?.toString(), 'x');
  assert.is(h.files.kind('/etc/evil'), null);
  assert.throws(() => unpackTar(Buffer.alloc(1024, 7)), /does not look like a tar archive/);
});

test.run();
