import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCli, stopWithin } from '../helpers/cli.ts';

const home = mkdtempSync(join(tmpdir(), 'kubeactor-datadir-'));
const dir = join(home, 'data');

/** Every directory and file under `root` (itself included) with its permission bits in octal. */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (path: string): void => {
    const st = lstatSync(path);
    out[relative(root, path) || '.'] = (st.mode & 0o777).toString(8);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return out;
}

async function upOnce(): Promise<string> {
  const p = runCli(['up', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'sim']);
  try {
    await p.waitFor('ready.');
  } finally {
    const pid = p.child.pid!;
    assert.is(await stopWithin(p, 'SIGTERM'), 0);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`);
  }
  return p.output();
}

test('a fresh data dir is 0700 and every file under it 0600, even with umask 000; no warning', async () => {
  // The child inherits the umask: with 000 nothing but the modes the code asks for protects the files.
  const umask = process.umask(0o000);
  let output: string;
  try {
    output = await upOnce();
  } finally {
    process.umask(umask);
  }
  const got = modes(dir);
  for (const f of ['kv/data.mdb', 'kv/lock.mdb', 'kubeconfig', 'pki/ca.crt', 'pki/apiserver.crt', 'pki/apiserver.key', 'pki/token']) {
    assert.ok(f in got, `${f} exists`);
  }
  for (const [path, mode] of Object.entries(got)) {
    const isDir = lstatSync(join(dir, path)).isDirectory();
    assert.is(mode, isDir ? '700' : '600', `${path} is ${mode}`);
  }
  assert.not.match(output, 'kubeactor: warning: data directory', output);
});

test('an existing data dir open to others is named with the chmod to run, and left as it is', async () => {
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'kv', 'data.mdb'), 0o644);
  const output = await upOnce();
  assert.match(
    output,
    `kubeactor: warning: data directory ${dir} is open to other users (the directory is 0755, kv/data.mdb is 0644); ` +
      `it holds every Secret, the serving key and the admin token. Recommended: directories 0700, files 0600: chmod -R go-rwx ${dir}\n`,
  );
  // The user's modes are theirs to change (as etcd only warns about its data dir).
  assert.is(modes(dir)['.'], '755');
  // After the chmod it suggests, the next start says nothing.
  chmodSync(dir, 0o700);
  chmodSync(join(dir, 'kv', 'data.mdb'), 0o600);
  assert.not.match(await upOnce(), 'kubeactor: warning: data directory');
});

test.after(() => rmSync(home, { recursive: true, force: true }));

test.run();
