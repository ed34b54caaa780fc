/**
 * Ingress end to end: the real `kubeactor up --default-runtime process` with the ingress
 * controller on free ports, the real kubectl and curl. Two Deployments of the HTTP echo image
 * behind Services, `kubectl create secret tls` with certificates made by openssl and
 * `kubectl create ingress` for two hosts: each host answers over HTTPS with its own
 * certificate (verified by curl against it) and over HTTP; a Service without a ready endpoint
 * is a 503; an invalid rule is a 422 with Kubernetes' message; no process outlives `up`.
 */
import { execFile, execFileSync } from 'node:child_process';
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
const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.242.0.0/16', '--ingress-http-port', '0', '--ingress-https-port', '0']);
let address = '';
let httpPort = 0;
let httpsPort = 0;

function certificate(host: string): { cert: string; key: string } {
  const cert = join(dir, `${host}.crt`);
  const key = join(dir, `${host}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], { stdio: 'ignore' });
  return { cert, key };
}

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

test('two hosts over HTTPS with their own certificates, and over HTTP', async () => {
  for (const app of ['alpha', 'beta']) {
    await kubectl('create', 'deployment', app, '--image=kubeactor/http-echo:1.0', '--port=8080');
    await kubectl('expose', 'deployment', app, '--port=80', '--target-port=8080');
    const files = certificate(`${app}.example.test`);
    await kubectl('create', 'secret', 'tls', `${app}-tls`, `--cert=${files.cert}`, `--key=${files.key}`);
  }
  await kubectl('rollout', 'status', 'deployment/alpha', 'deployment/beta', '--timeout=60s').catch(async () => {
    await kubectl('wait', '--for=condition=Available', 'deployment/alpha', 'deployment/beta', '--timeout=60s');
  });
  assert.is(await kubectl('create', 'ingress', 'web', '--rule=alpha.example.test/*=alpha:80,tls=alpha-tls', '--rule=beta.example.test/*=beta:80,tls=beta-tls'), 'ingress.networking.k8s.io/web created');
  const row = await eventually(async () => {
    const r = await kubectl('get', 'ingress', 'web', '--no-headers');
    return r.includes(address) ? r : null;
  }, { timeoutMs: 20_000, intervalMs: 250 });
  assert.match(row, new RegExp(`^web\\s+kubeactor\\s+alpha\\.example\\.test,beta\\.example\\.test\\s+${address.replaceAll('.', '\\.')}\\s+80, 443\\s+\\d+s$`));

  for (const app of ['alpha', 'beta']) {
    const host = `${app}.example.test`;
    const body = await eventually(async () => {
      const b = await curl('--resolve', `${host}:${httpsPort}:${address}`, '--cacert', join(dir, `${host}.crt`), `https://${host}:${httpsPort}/hello?x=1`).catch(() => '');
      return b.startsWith('pod:') ? b : null;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    assert.match(body, new RegExp(`^pod: ${app}-[a-z0-9]+-[a-z0-9]+\\nrequest: GET /hello\\?x=1 HTTP/1.1\\n`));
    assert.match(body, 'x-forwarded-proto: https');
    assert.match(body, `x-forwarded-host: ${host}:${httpsPort}`);
    assert.match(await curl('--resolve', `${host}:${httpPort}:${address}`, `http://${host}:${httpPort}/`), new RegExp(`^pod: ${app}-`));
  }
  // alpha's certificate does not verify beta: each host got its own.
  const wrong = await run('curl', ['-sS', '--resolve', `beta.example.test:${httpsPort}:${address}`, '--cacert', join(dir, 'alpha.example.test.crt'), `https://beta.example.test:${httpsPort}/`]).then(() => 'verified', (e: { stderr?: string }) => String(e.stderr));
  assert.match(wrong, /SSL certificate problem|certificate verify failed|unable to get local issuer/);
  assert.match(await kubectl('describe', 'ingress', 'web'), /Ingress Class:\s+kubeactor[\s\S]*alpha\.example\.test\s+\n?\s*\/\s+alpha:80/);
  assert.is(await curl('-H', 'Host: nowhere.example.test', `http://${address}:${httpPort}/`), 'default backend - 404\n');
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
