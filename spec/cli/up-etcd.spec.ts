import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { etcdLeftovers, startEtcd } from '../helpers/etcd.ts';
import { EtcdKv } from '../../actors/kv/etcd.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const run = promisify(execFile);
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'kubeactor-up-etcd-'));
  dirs.push(d);
  return d;
};
async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { env: { ...process.env, HOME: dirs[0] ?? tmpdir() } });
  return stdout.trim();
}

test('the etcd flags are usage errors without etcd:// storage, and a malformed endpoint list is refused', () => {
  const cases: [string[], string][] = [
    [['--etcd-prefix', '/x'], '--etcd-prefix needs --storage etcd://HOST:PORT'],
    [['--storage', 'etcd://'], 'expected etcd://HOST:PORT'],
    [['--storage', 'etcd://127.0.0.1:2379,nope'], '"nope" is not HOST:PORT'],
    [['--storage', 'etcd://127.0.0.1:2379', '--etcd-certfile', '/c'], '--etcd-certfile and --etcd-keyfile go together'],
    [['--storage', 'etcd://127.0.0.1:2379', '--etcd-prefix', 'registry'], '--etcd-prefix must start with "/"'],
  ];
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, [BIN, 'up', ...args], { encoding: 'utf8' });
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  const help = spawnSync(process.execPath, [BIN, 'up', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, '--storage lmdb|memory|etcd://HOST:PORT[,HOST:PORT…]');
  assert.match(help.stdout, '--etcd-cafile F, --etcd-certfile F, --etcd-keyfile F');
});

test('up --storage etcd://: kubectl writes land in etcd under --etcd-prefix, and a new apiserver on another data dir finds them', async () => {
  const etcd = await startEtcd();
  try {
    const dir = tempDir();
    const first = runCli(['up', '--storage', etcd.storage, '--etcd-prefix', '/kubeactor', '--data-dir', dir, '--port', '0', '--nodes', '0']);
    await first.waitFor('ready.', 60_000);
    assert.match(first.output(), `kv: etcd at ${etcd.storage.slice('etcd://'.length)} under /kubeactor`);
    assert.match(await kubectl(`${dir}/kubeconfig`, 'create', 'configmap', 'kept', '--from-literal=k=v'), 'configmap/kept created');
    assert.is(await first.stop('SIGTERM'), 0);

    // What kube-apiserver would have written: the object as JSON at <prefix>/configmaps/<ns>/<name>.
    const raw = await EtcdKv.open({ endpoints: etcd.endpoints, root: '', prefix: '' });
    const rec = (await raw.get('/kubeactor/configmaps/default/kept')).kv;
    await raw.close();
    assert.equal((rec?.value as { data?: unknown } | undefined)?.data, { k: 'v' });

    const other = tempDir();
    const second = runCli(['up', '--storage', etcd.storage, '--etcd-prefix', '/kubeactor', '--data-dir', other, '--port', '0', '--nodes', '0']);
    await second.waitFor('ready.', 60_000);
    assert.is(await kubectl(`${other}/kubeconfig`, 'get', 'configmap', 'kept', '-o', 'jsonpath={.data.k}'), 'v');
    assert.is(await second.stop('SIGINT'), 0);
  } finally {
    await etcd.stop();
  }
  assert.equal(etcdLeftovers(), []);
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
