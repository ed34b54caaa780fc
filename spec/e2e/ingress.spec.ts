/**
 * Ingress end to end: the real `kubeactor up --default-runtime process` with the ingress
 * controller on free ports, the real kubectl and curl: the default IngressClass; a Service
 * without a ready endpoint is a 503; an invalid rule is a 422 with Kubernetes' message; no
 * process outlives `up`. Two hosts over HTTPS with their own certificates (`kubectl create
 * secret tls`, `kubectl create ingress`, `curl --resolve`) are a Service-path scenario
 * (service-path-scenarios.ts), run in-process and over NATS.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-ingress-e2e-'));
const run = promisify(execFile);
const kubeconfig = join(dir, 'kubeconfig');
const env = { ...process.env, HOME: dir };
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { env });
  return stdout.trim();
}
/** kubectl's stderr and exit code for a command that should fail. */
async function kubectlFails(...args: string[]): Promise<string> {
  try {
    await kubectl(...args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? '').trim();
  }
  throw new Error(`kubectl ${args.join(' ')} succeeded`);
}
async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', ...args], { env });
  return stdout;
}

const sandboxes = (): number => processesNaming(join(dir, 'nodes')).length;
const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.255.32.0/20', '--ingress-http-port', '0', '--ingress-https-port', '0']);
let address = '';
let httpPort = 0;
let httpsPort = 0;

test('up starts the ingress controller; the default IngressClass kubeactor exists', async () => {
  await up.waitFor('ready.', 60_000);
  const m = /ingress: http:\/\/([\d.]+):(\d+) https:\/\/[\d.]+:(\d+)/.exec(up.output());
  assert.ok(m, up.output());
  [address, httpPort, httpsPort] = [m![1]!, Number(m![2]), Number(m![3])];
  // The last address of the load-balancer range up claimed (127.0.2.254 unless another cluster on this host holds 127.0.2.0/24).
  const lb = /load balancers: EXTERNAL-IPs from 127\.0\.(\d+)\.0\/24/.exec(up.output())?.[1];
  assert.is(address, `127.0.${lb}.254`);
  assert.match(await kubectl('get', 'ingressclass'), /NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\nkubeactor\s+kubeactor\.io\/ingress\s+<none>\s+\d+s/);
});

test('a Service without a ready endpoint is a 503 that says so', async () => {
  await kubectl('create', 'service', 'clusterip', 'ghost', '--tcp=80:8080');
  await kubectl('create', 'ingress', 'ghost', '--rule=ghost.example.test/*=ghost:80');
  const answer = await eventually(async () => {
    const a = await curl('-w', '\n%{http_code}', '-H', 'Host: ghost.example.test', `http://${address}:${httpPort}/`);
    return a.endsWith('503') ? a : null;
  }, { timeoutMs: 20_000, intervalMs: 250 });
  assert.is(answer, '503 Service Temporarily Unavailable: service "default/ghost" has no ready endpoints for port 80\n\n503');
});

test('an invalid rule is a 422 with Kubernetes\' message', async () => {
  const err = await kubectlFails('create', 'ingress', 'bad', '--rule=Bad.example.test/*=alpha:80');
  assert.match(err, 'error: failed to create ingress: Ingress.networking.k8s.io "bad" is invalid: spec.rules[0].host: Invalid value: "Bad.example.test": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters');
});

test('up stops the listeners and leaves no process behind', async () => {
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => sandboxes() === 0, { timeoutMs: 5000 });
  const refused = await run('curl', ['-sS', '--max-time', '3', `http://${address}:${httpPort}/`]).then(() => 'answered', () => 'refused');
  assert.is(refused, 'refused');
  rmSync(dir, { recursive: true, force: true });
});

test.run();
