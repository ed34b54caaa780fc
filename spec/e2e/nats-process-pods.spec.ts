/**
 * Process pods on a node in another process: `kubeactor up` (control plane) and
 * `kubeactor node --default-runtime process` on a real nats-server. The real kubectl
 * creates a pod of the built-in HTTP image; the node process runs it in a sandbox on its
 * pod IP, it answers a real request, `kubectl logs`, `exec` (with stdin) and `port-forward`
 * reach it over the bus, and nothing of it is left once the node process stops.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { httpGetText } from '../helpers/http-get.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const PASS = { cp: 'cp-secret', w: 'w-secret' };
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-nats-procpods-'));
const run = promisify(execFile);
const procs: CliProcess[] = [];
let nats: NatsServerHandle | undefined;

async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { env: { ...process.env, HOME: dir } });
  return stdout.trim();
}

const sandboxes = (): number => processesNaming(join(dir, 'node-data')).length;

test('a process pod on a node process over NATS answers on its pod IP, logs travel the bus, nothing outlives the node', async () => {
  nats = await startNatsServer({ config: natsServerConfig({ users: [{ identity: 'control-plane', password: PASS.cp }, { identity: 'node-w', password: PASS.w }] }) });
  const up = runCli(['up', '--bus', nats.url, '--nodes', '0', '--storage', 'memory', '--data-dir', dir, '--port', '0'], { KUBEACTOR_NATS_PASS: PASS.cp });
  procs.push(up);
  await up.waitFor('ready.', 30_000);
  const kubeconfig = join(dir, 'kubeconfig');
  const node = runCli(['node', '--bus', nats.url, '--name', 'w', '--nats-pass', PASS.w, '--default-runtime', 'process', '--cluster-cidr', '127.247.0.0/16', '--data-dir', join(dir, 'node-data')]);
  procs.push(node);
  await node.waitFor('ready.', 30_000);
  assert.match(node.output(), /w: InternalIP 127\.\d+\.1\.\d+, pod range 127\.247\.\d+\.0\/24, default runtime process/);

  await kubectl(kubeconfig, 'run', 'echo', '--image=kubeactor/http-echo:1.0', '--port=8080');
  await kubectl(kubeconfig, 'wait', '--for=condition=Ready', 'pod/echo', '--timeout=60s');
  const ip = await kubectl(kubeconfig, 'get', 'pod', 'echo', '-o', 'jsonpath={.status.podIP}');
  const body = await httpGetText(`http://${ip}:8080/over-nats`);
  assert.match(body, /^pod: echo\nrequest: GET \/over-nats HTTP\/1.1\n/);
  const logs = await eventually(() => kubectl(kubeconfig, 'logs', 'echo'), { accept: (l) => l.includes('listening'), timeoutMs: 10_000, intervalMs: 250 });
  assert.match(logs, `http-echo listening on ${ip}:8080`);
  assert.ok(sandboxes() > 0);

  const exec = await new Promise<string>((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, 'exec', '-i', 'echo', '--', 'sh', '-c', 'echo $HOSTNAME; cat'], { env: { ...process.env, HOME: dir } },
      (err, out) => (err ? reject(err) : resolve(out)));
    child.stdin!.end('through the bus\n');
  });
  assert.is(exec, 'echo\nthrough the bus\n');
  const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', 'pod/echo', ':8080'], { env: { ...process.env, HOME: dir } });
  try {
    let out = '';
    pf.stdout.on('data', (d) => (out += d));
    const local = await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1], { timeoutMs: 20_000 });
    const forwarded = await httpGetText(`http://127.0.0.1:${local}/forwarded`);
    assert.match(forwarded, /^pod: echo\nrequest: GET \/forwarded HTTP\/1.1\n/);
  } finally {
    pf.kill('SIGTERM');
  }

  assert.is(await stopWithin(node, 'SIGTERM'), 0);
  await eventually(() => sandboxes() === 0, { timeoutMs: 5000 });
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => processesNaming(dir).length === 0, { timeoutMs: 5000 });
});

test.after(async () => {
  await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
