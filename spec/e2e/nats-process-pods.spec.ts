/**
 * Process pods on a node in another process: `kubeactor up` (control plane) and
 * `kubeactor node --default-runtime process` on a real nats-server. The real kubectl
 * creates a pod of the built-in HTTP image; the node process runs it in a sandbox on its
 * pod IP, it answers a real request, `kubectl logs` reaches its log over the bus, and
 * nothing of it is left once the node process stops.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
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
  const node = runCli(['node', '--bus', nats.url, '--name', 'w', '--nats-pass', PASS.w, '--default-runtime', 'process', '--data-dir', join(dir, 'node-data')]);
  procs.push(node);
  await node.waitFor('ready.', 30_000);
  assert.match(node.output(), /w: InternalIP 127\.0\.1\.\d+, pod range 127\.244\.\d+\.0\/24, default runtime process/);

  await kubectl(kubeconfig, 'run', 'echo', '--image=kubeactor/http-echo:1.0', '--port=8080');
  await kubectl(kubeconfig, 'wait', '--for=condition=Ready', 'pod/echo', '--timeout=60s');
  const ip = await kubectl(kubeconfig, 'get', 'pod', 'echo', '-o', 'jsonpath={.status.podIP}');
  const body = await new Promise<string>((resolve, reject) => {
    request(`http://${ip}:8080/over-nats`, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(b));
    }).on('error', reject).end();
  });
  assert.match(body, /^pod: echo\nrequest: GET \/over-nats HTTP\/1.1\n/);
  const logs = await eventually(() => kubectl(kubeconfig, 'logs', 'echo'), { accept: (l) => l.includes('listening'), timeoutMs: 10_000, intervalMs: 250 });
  assert.match(logs, `http-echo listening on ${ip}:8080`);
  assert.ok(sandboxes() > 0);

  assert.is(await stopWithin(node, 'SIGTERM'), 0);
  await eventually(() => sandboxes() === 0, { timeoutMs: 5000 });
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
});

test.after(async () => {
  await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
