/**
 * Service traffic: small HTTP requests to two replicas of kubeactor/http-echo, straight to a
 * pod IP and through each way a Service carries traffic — the ClusterIP (kube-proxy), a
 * NodePort (kube-proxy on the node's IP), the LoadBalancer EXTERNAL-IP (the cloud provider's
 * listener, then a NodePort) and the Ingress (the ingress controller) — in one run against a
 * real `kubeactor up` (a child process, the product as a user runs it, process runtime).
 *
 * Per path: requests/s and latency p50/p99 with keep-alive connections (`--concurrency`, for
 * `--seconds` each), and new connections/s (one request per connection). The figure is the
 * ratio to direct; the issue's goal is ≥ 0.7× direct throughput through the ClusterIP. The
 * anchor: kube-proxy in iptables/IPVS mode forwards in the kernel, adding microseconds, so
 * Kubernetes' ratio is about 1.0; a userspace proxy (kube-proxy's old `userspace` mode) is
 * what this is.
 *
 * Usage: npm run bench -- proxy [--seconds 5] [--concurrency 16]
 * Prints progress on stderr and one JSON line last on stdout. A path the cluster does not
 * serve is reported as null with the reason in `skipped`.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { arg, machine, percentile, round, sleep } from './_cluster.ts';

const SECONDS = arg('seconds', 5);
const CONCURRENCY = arg('concurrency', 16);
const log = (s: string) => process.stderr.write(`proxy: ${s}\n`);
const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-bench-proxy-'));
const env = { ...process.env, HOME: dir };
const run = promisify(execFile);

const up = spawn(process.execPath, [BIN, 'up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--ingress-http-port', '0', '--ingress-https-port', '0'],
  { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
let upOut = '';
up.stdout.on('data', (d) => (upOut += d));
up.stderr.on('data', (d) => (upOut += d));

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--request-timeout=20s', ...args], { env });
  return stdout.trim();
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${upOut}`);
    await sleep(250);
  }
}

interface PathResult {
  requests_per_s: number;
  p50_ms: number;
  p99_ms: number;
  new_connections_per_s: number;
  errors: number;
}

/** One GET; resolves with its latency in ms, or -1 on an error. */
function get(agent: Agent, host: string, port: number, hostHeader?: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/bench', agent, ...(hostHeader ? { headers: { host: hostHeader } } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? Number(process.hrtime.bigint() - t0) / 1e6 : -1));
    });
    req.on('error', () => resolve(-1));
    req.end();
  });
}

/** `CONCURRENCY` loops of back-to-back requests for `seconds`. */
async function load(host: string, port: number, keepAlive: boolean, seconds: number, hostHeader?: string): Promise<{ latencies: number[]; errors: number }> {
  const agent = new Agent({ keepAlive, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) {
      const ms = await get(agent, host, port, hostHeader);
      if (ms < 0) errors++;
      else latencies.push(ms);
    }
  }));
  agent.destroy();
  return { latencies, errors };
}

async function measure(name: string, host: string, port: number, hostHeader?: string): Promise<PathResult> {
  log(`${name}: ${host}:${port} (${SECONDS} s keep-alive, ${Math.max(1, Math.round(SECONDS / 2))} s new connections, ${CONCURRENCY} at a time)`);
  await load(host, port, true, 1, hostHeader); // warm-up: connections, JIT
  const kept = await load(host, port, true, SECONDS, hostHeader);
  const fresh = await load(host, port, false, Math.max(1, Math.round(SECONDS / 2)), hostHeader);
  const r: PathResult = {
    requests_per_s: round(kept.latencies.length / SECONDS),
    p50_ms: round(percentile(kept.latencies, 50), 2),
    p99_ms: round(percentile(kept.latencies, 99), 2),
    new_connections_per_s: round(fresh.latencies.length / Math.max(1, Math.round(SECONDS / 2))),
    errors: kept.errors + fresh.errors,
  };
  log(`${name}: ${r.requests_per_s} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, ${r.new_connections_per_s} new connections/s, ${r.errors} errors`);
  return r;
}

const results: Record<string, PathResult | null> = {};
const skipped: Record<string, string> = {};
try {
  await until('up to be ready', async () => (upOut.includes('ready.') ? true : undefined));
  log('up is ready; creating the Deployment, its Service and an Ingress');
  await kubectl('create', 'deployment', 'echo', '--image=kubeactor/http-echo:1.0', '--replicas=2', '--port=8080');
  await kubectl('expose', 'deployment', 'echo', '--port=80', '--target-port=8080', '--type=LoadBalancer');
  await kubectl('rollout', 'status', 'deploy/echo', '--timeout=60s');
  const podIP = (await kubectl('get', 'pods', '-l', 'app=echo', '-o', 'jsonpath={.items[0].status.podIP}')).trim();
  results.direct = await measure('direct', podIP, 8080);

  const svc = JSON.parse(await kubectl('get', 'svc', 'echo', '-o', 'json')) as { spec: { clusterIP: string; ports: Array<{ nodePort: number }> } };
  const nodeIP = await kubectl('get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}');
  const paths: Array<[string, () => Promise<[string, number, string?] | undefined>]> = [
    ['cluster_ip', async () => [svc.spec.clusterIP, 80]],
    ['node_port', async () => [nodeIP, svc.spec.ports[0]!.nodePort]],
    ['load_balancer', async () => {
      const ip = await kubectl('get', 'svc', 'echo', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}');
      return ip ? [ip, 80] : undefined;
    }],
    ['ingress', async () => {
      const r = await run('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), 'create', 'ingress', 'echo', '--rule=echo.bench/*=echo:80'], { env }).catch((e: Error) => e);
      if (r instanceof Error) throw new Error(`kubectl create ingress: ${r.message.split('\n')[1] ?? r.message}`);
      const ip = await until('the Ingress address', async () => (await kubectl('get', 'ingress', 'echo', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')) || undefined, 20_000);
      const port = /ingress: http:\/\/[\d.]+:(\d+)/.exec(upOut)?.[1];
      return port ? [ip, Number(port), 'echo.bench'] : undefined;
    }],
  ];
  for (const [name, where] of paths) {
    try {
      const target = await where();
      if (!target) throw new Error('no address');
      // A path that does not answer at all is not served by this build.
      const [host, port, hostHeader] = target;
      const probe = await get(new Agent(), host, port, hostHeader);
      if (probe < 0) throw new Error(`${host}:${port} does not answer`);
      results[name] = await measure(name, host, port, hostHeader);
    } catch (err) {
      results[name] = null;
      skipped[name] = (err as Error).message;
      log(`${name}: skipped (${skipped[name]})`);
    }
  }
} finally {
  try {
    process.kill(-up.pid!, 'SIGTERM');
  } catch { /* gone */ }
  await new Promise((r) => up.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

const direct = results.direct!;
const ratio = (p: PathResult | null | undefined) => (p ? round(p.requests_per_s / direct.requests_per_s, 2) : null);
console.log(JSON.stringify({
  bench: 'proxy',
  seconds: SECONDS,
  concurrency: CONCURRENCY,
  ...Object.fromEntries(Object.entries(results).flatMap(([k, v]): Array<[string, number | null]> => (v ? [
    [`${k}_requests_per_s`, v.requests_per_s], [`${k}_p50_ms`, v.p50_ms], [`${k}_p99_ms`, v.p99_ms],
    [`${k}_new_connections_per_s`, v.new_connections_per_s], [`${k}_errors`, v.errors],
  ] : [[`${k}_requests_per_s`, null]]))),
  cluster_ip_to_direct: ratio(results.cluster_ip),
  node_port_to_direct: ratio(results.node_port),
  load_balancer_to_direct: ratio(results.load_balancer),
  ingress_to_direct: ratio(results.ingress),
  skipped,
  machine: machine(),
  anchor: { cluster_ip_to_direct_goal: 0.7, kube_proxy_iptables_to_direct: 1.0, source: 'issue 12 goal; kube-proxy iptables/IPVS forward in the kernel (kubernetes.io/docs/reference/networking/virtual-ips)' },
}));
