/**
 * Service traffic: small HTTP requests to two replicas of kubeactor/http-echo, straight to a
 * pod IP and through each way a Service carries traffic — the ClusterIP (kube-proxy), a
 * NodePort (kube-proxy on the node's IP), the LoadBalancer EXTERNAL-IP (the cloud provider's
 * listener, then a NodePort) and the Ingress (the ingress controller) — in one run against a
 * real `kubeactor up` (a child process, the product as a user runs it, process runtime).
 *
 * Per path: requests/s and latency p50/p99 with keep-alive connections (`--concurrency`, for
 * `--seconds` each), and new connections/s (one request per connection, for half as long).
 * Every path gets the same client, the same concurrency and a warm-up, and "direct" spreads
 * its connections over both pods as the Service does. Other load on the machine comes and
 * goes by the second, so each path runs beside direct in alternating half-second slices, and
 * the figure is the ratio of the two, the median over `--rounds`; the issue's goal is ≥ 0.7×
 * direct throughput through the ClusterIP. Beside it, the CPU each process spent per request
 * (the client, the `up` process that proxies, the pods), which that load hardly moves: it
 * says where the time goes and what ratio the CPU allows when the cores are the limit. The anchor: kube-proxy in iptables/IPVS mode forwards in the
 * kernel, adding microseconds, so Kubernetes' ratio is about 1.0; a userspace proxy
 * (kube-proxy's old `userspace` mode) is what this is.
 *
 * Beside them, from a client pod (bench/proxy-client.mjs run by `kubectl exec`): direct and
 * the ClusterIP, whose connects the pod's connect shim sends straight to an endpoint.
 *
 * Usage: npm run bench -- proxy [--seconds 5] [--concurrency 16] [--rounds 3] [--cpu-prof-dir DIR]
 * Prints progress on stderr and one JSON line last on stdout. A path the cluster does not
 * serve is reported as null with the reason in `skipped`.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { arg, argText, machine, percentile, round, sleep } from './_cluster.ts';
import { get, load as loadTargets, type PodPair, type Target } from './proxy-client.mjs';

const SECONDS = arg('seconds', 5);
const CONCURRENCY = arg('concurrency', 16);
const ROUNDS = arg('rounds', 3);
const FRESH_SECONDS = Math.max(1, Math.round(SECONDS / 2));
/** How long one path runs before the other takes its turn. */
const SLICE_SECONDS = 0.5;
/** `--cpu-prof-dir DIR`: `up` writes a V8 CPU profile there when it stops (open it in Chrome DevTools). */
const PROFILE_DIR = argText('cpu-prof-dir', '');
const log = (s: string) => process.stderr.write(`proxy: ${s}\n`);
const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-bench-proxy-'));
const env = { ...process.env, HOME: dir };
const run = promisify(execFile);

const up = spawn(process.execPath, [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), BIN, 'up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--ingress-http-port', '0', '--ingress-https-port', '0'],
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
  /** CPU µs per keep-alive request: the bench's client, the `up` process, the pods. */
  cpu_us: { client: number; up: number; pods: number };
}


/** `CONCURRENCY` loops of back-to-back requests for `seconds` through `agent`, loop i to target i mod n. */
const load = (targets: Target[], agent: Agent, seconds: number, into: Tally): Promise<void> => loadTargets(targets, agent, seconds, CONCURRENCY, into);

/** What one path's slices of a round add up to. */
interface Tally {
  latencies: number[];
  errors: number;
  /** Requests over fresh connections. */
  fresh: number;
  /** CPU ms over the keep-alive slices. */
  cpu: { client: number; up: number; pods: number };
}
const tally = (): Tally => ({ latencies: [], errors: 0, fresh: 0, cpu: { client: 0, up: 0, pods: 0 } });

/** CPU ms so far of `up` itself and of its descendants (the pods' processes), from /proc. */
function treeCpu(root: number): { up: number; pods: number } {
  const procs = new Map<number, { ppid: number; ms: number }>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      procs.set(Number(pid), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * 10 });
    } catch { /* gone meanwhile */ }
  }
  const under = (pid: number): boolean => {
    for (let p = procs.get(pid)?.ppid; p !== undefined && p > 1; p = procs.get(p)?.ppid) if (p === root) return true;
    return false;
  };
  const out = { up: procs.get(root)?.ms ?? 0, pods: 0 };
  for (const [pid, p] of procs) if (under(pid)) out.pods += p.ms;
  return out;
}

/** Keep-alive requests for one slice, with the CPU each process spent meanwhile. */
async function keptSlice(targets: Target[], agent: Agent, t: Tally): Promise<void> {
  const c0 = process.cpuUsage();
  const g0 = treeCpu(up.pid!);
  await load(targets, agent, SLICE_SECONDS, t);
  const c1 = process.cpuUsage(c0);
  const g1 = treeCpu(up.pid!);
  t.cpu.client += (c1.user + c1.system) / 1000;
  t.cpu.up += g1.up - g0.up;
  t.cpu.pods += g1.pods - g0.pods;
}

/** One slice of one request per connection. */
async function freshSlice(targets: Target[], t: Tally): Promise<void> {
  const agent = new Agent({ keepAlive: false, maxSockets: CONCURRENCY });
  const before = t.latencies.length;
  await load(targets, agent, SLICE_SECONDS, t);
  t.fresh += t.latencies.length - before;
  t.latencies.length = before;
  agent.destroy();
}

function result(name: string, t: Tally): PathResult {
  const n = Math.max(1, t.latencies.length);
  const r: PathResult = {
    requests_per_s: round(t.latencies.length / SECONDS),
    p50_ms: round(percentile(t.latencies, 50), 2),
    p99_ms: round(percentile(t.latencies, 99), 2),
    new_connections_per_s: round(t.fresh / FRESH_SECONDS),
    errors: t.errors,
    cpu_us: { client: round((t.cpu.client * 1000) / n), up: round((t.cpu.up * 1000) / n), pods: round((t.cpu.pods * 1000) / n) },
  };
  log(`${name}: ${r.requests_per_s} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, ${r.new_connections_per_s} new connections/s, ${r.errors} errors; CPU µs per request: client ${r.cpu_us.client}, up ${r.cpu_us.up}, pods ${r.cpu_us.pods}`);
  return r;
}

/**
 * One round of one path beside direct: after a warm-up of both, SLICE_SECONDS of one and then
 * of the other, in turn, for `--seconds` each with keep-alive connections and half as long
 * with new ones; so other load on the machine, which comes and goes by the second, weighs
 * on both alike.
 */
async function paired(name: string, targets: Target[], direct: Target[]): Promise<[PathResult, PathResult]> {
  const agents = [new Agent({ keepAlive: true, maxSockets: CONCURRENCY }), new Agent({ keepAlive: true, maxSockets: CONCURRENCY })] as const;
  const [d, p] = [tally(), tally()];
  await load(direct, agents[0], 0.5, tally()); // warm-up: connections, JIT
  await load(targets, agents[1], 0.5, tally());
  for (let i = 0; i < SECONDS / SLICE_SECONDS; i++) {
    await keptSlice(direct, agents[0], d);
    await keptSlice(targets, agents[1], p);
  }
  for (const a of agents) a.destroy();
  for (let i = 0; i < FRESH_SECONDS / SLICE_SECONDS; i++) {
    await freshSlice(direct, d);
    await freshSlice(targets, p);
  }
  return [result(`direct (beside ${name})`, d), result(name, p)];
}

/** The paths in the order they are measured and reported. */
const PATHS = ['direct', 'cluster_ip', 'node_port', 'load_balancer', 'ingress'];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rounds: Record<string, PathResult[]> = {};
/** Direct and ClusterIP figures from a client pod, round by round. */
const podRounds: PodPair[] = [];

/**
 * From a pod, as a Service's clients mostly are: the same load, run by proxy-client.mjs inside
 * a busybox process pod (`kubectl exec`), direct and the ClusterIP in alternating slices, one
 * exec per round. A pod's connect() to the ClusterIP is translated to an endpoint (the connect
 * shim), so this is the path Kubernetes' iptables DNAT is the anchor of.
 */
async function fromPod(direct: Target[], clusterIP: string): Promise<void> {
  try {
    await kubectl('run', 'bench-client', '--image=busybox', '--command', '--', 'sleep', '3600');
    await kubectl('wait', '--for=condition=Ready', 'pod/bench-client', '--timeout=60s');
    const source = readFileSync(new URL('./proxy-client.mjs', import.meta.url), 'utf8') + '\nawait main(JSON.parse(process.argv[1]));\n';
    for (let i = 1; i <= ROUNDS; i++) {
      log(`round ${i} of ${ROUNDS} from a pod: direct and the ClusterIP, ${SECONDS} s each`);
      const args = JSON.stringify({ a: direct, b: [{ host: clusterIP, port: 80 }], seconds: SECONDS, slice: SLICE_SECONDS, concurrency: CONCURRENCY });
      const { stdout } = await run('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), 'exec', 'bench-client', '--', process.execPath, '--input-type=module', '-e', source, args], { env });
      const pair = JSON.parse(stdout.trim().split('\n').pop()!) as PodPair;
      log(`from a pod: direct ${round(pair[0].requests_per_s)} req/s, ClusterIP ${round(pair[1].requests_per_s)} req/s (${round(pair[1].requests_per_s / pair[0].requests_per_s, 2)}×)`);
      podRounds.push(pair);
    }
  } catch (err) {
    skipped.pod_client = (err as Error).message.split('\n')[0]!;
    log(`from a pod: skipped (${skipped.pod_client})`);
  }
}

/** The pod client's medians and its ClusterIP-to-direct ratio (median of the rounds'). */
function podSummary(): Record<string, number> | null {
  if (!podRounds.length) return null;
  const m = (k: number, f: (r: PodPair[0]) => number) => round(median(podRounds.map((p) => f(p[k]!))), 2);
  return {
    direct_requests_per_s: m(0, (r) => r.requests_per_s), direct_p50_ms: m(0, (r) => r.p50_ms), direct_p99_ms: m(0, (r) => r.p99_ms),
    cluster_ip_requests_per_s: m(1, (r) => r.requests_per_s), cluster_ip_p50_ms: m(1, (r) => r.p50_ms), cluster_ip_p99_ms: m(1, (r) => r.p99_ms),
    errors: podRounds.reduce((n, p) => n + p[0].errors + p[1].errors, 0),
    cluster_ip_to_direct: round(median(podRounds.map((p) => p[1].requests_per_s / p[0].requests_per_s)), 2),
  };
}
/** Each path's paired direct measurements, round by round. */
const besideDirect: Record<string, PathResult[]> = {};
const skipped: Record<string, string> = {};
try {
  await until('up to be ready', async () => (upOut.includes('ready.') ? true : undefined));
  log('up is ready; creating the Deployment, its Service and an Ingress');
  await kubectl('create', 'deployment', 'echo', '--image=kubeactor/http-echo:1.0', '--replicas=2', '--port=8080');
  await kubectl('expose', 'deployment', 'echo', '--port=80', '--target-port=8080', '--type=LoadBalancer');
  await kubectl('rollout', 'status', 'deploy/echo', '--timeout=60s');
  const podIPs = (await kubectl('get', 'pods', '-l', 'app=echo', '-o', 'jsonpath={.items[*].status.podIP}')).split(/\s+/).filter(Boolean);
  const svc = JSON.parse(await kubectl('get', 'svc', 'echo', '-o', 'json')) as { spec: { clusterIP: string; ports: Array<{ nodePort: number }> } };
  const nodeIP = await kubectl('get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}');
  const paths: Array<[string, () => Promise<Target[] | undefined>]> = [
    ['direct', async () => podIPs.map((host) => ({ host, port: 8080 }))],
    ['cluster_ip', async () => [{ host: svc.spec.clusterIP, port: 80 }]],
    ['node_port', async () => [{ host: nodeIP, port: svc.spec.ports[0]!.nodePort }]],
    ['load_balancer', async () => {
      const ip = await kubectl('get', 'svc', 'echo', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}');
      return ip ? [{ host: ip, port: 80 }] : undefined;
    }],
    ['ingress', async () => {
      const r = await run('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), 'create', 'ingress', 'echo', '--rule=echo.bench/*=echo:80'], { env }).catch((e: Error) => e);
      if (r instanceof Error) throw new Error(`kubectl create ingress: ${r.message.split('\n')[1] ?? r.message}`);
      const ip = await until('the Ingress address', async () => (await kubectl('get', 'ingress', 'echo', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')) || undefined, 20_000);
      const port = /ingress: http:\/\/[\d.]+:(\d+)/.exec(upOut)?.[1];
      return port ? [{ host: ip, port: Number(port), hostHeader: 'echo.bench' }] : undefined;
    }],
  ];
  const served: Array<[string, Target[]]> = [];
  for (const [name, where] of paths) {
    try {
      const targets = await where();
      if (!targets?.length) throw new Error('no address');
      // A path that does not answer at all is not served by this build.
      for (const t of targets) if ((await get(new Agent(), t)) < 0) throw new Error(`${t.host}:${t.port} does not answer`);
      served.push([name, targets]);
    } catch (err) {
      skipped[name] = (err as Error).message;
      log(`${name}: skipped (${skipped[name]})`);
    }
  }
  if (served[0]?.[0] !== 'direct') throw new Error(`the pods do not answer directly: ${skipped.direct}`);
  const [, direct] = served[0];
  for (let i = 1; i <= ROUNDS; i++) {
    log(`round ${i} of ${ROUNDS}: each path beside direct, ${SECONDS} s keep-alive and ${FRESH_SECONDS} s new connections each, ${CONCURRENCY} at a time`);
    for (const [name, targets] of served.slice(1)) {
      const [d, p] = await paired(name, targets, direct);
      (rounds.direct ??= []).push(d);
      (rounds[name] ??= []).push(p);
      (besideDirect[name] ??= []).push(d);
    }
  }
  await fromPod(direct, svc.spec.clusterIP);
} finally {
  try {
    process.kill(-up.pid!, 'SIGTERM');
  } catch { /* gone */ }
  await new Promise((r) => up.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

const cpuOf = (r: PathResult): number => r.cpu_us.client + r.cpu_us.up + r.cpu_us.pods;

/**
 * A path's medians over its rounds and its ratios to direct, each the median of the ratios to
 * the direct measurement beside it; `cpu_bound_to_direct` is the ratio the CPU spent per
 * request allows when the machine's cores are the limit (direct's CPU per request over the
 * path's), which other load on the machine hardly moves.
 */
function summary(name: string): Array<[string, number | null]> {
  const rs = rounds[name];
  if (!rs) return [[`${name}_requests_per_s`, null]];
  const m = (f: (r: PathResult) => number) => round(median(rs.map(f)), 2);
  const out: Array<[string, number | null]> = [
    [`${name}_requests_per_s`, m((r) => r.requests_per_s)], [`${name}_p50_ms`, m((r) => r.p50_ms)], [`${name}_p99_ms`, m((r) => r.p99_ms)],
    [`${name}_new_connections_per_s`, m((r) => r.new_connections_per_s)], [`${name}_errors`, rs.reduce((n, r) => n + r.errors, 0)],
    [`${name}_cpu_us_client`, m((r) => r.cpu_us.client)], [`${name}_cpu_us_up`, m((r) => r.cpu_us.up)], [`${name}_cpu_us_pods`, m((r) => r.cpu_us.pods)],
  ];
  const beside = besideDirect[name];
  if (beside) {
    const ratio = (f: (r: PathResult) => number) => round(median(rs.map((r, i) => f(r) / f(beside[i]!))), 2);
    out.push([`${name}_to_direct`, ratio((r) => r.requests_per_s)]);
    out.push([`${name}_new_connections_to_direct`, ratio((r) => r.new_connections_per_s)]);
    out.push([`${name}_cpu_bound_to_direct`, ratio((r) => 1 / cpuOf(r))]);
  }
  return out;
}

const ratios = Object.fromEntries(Object.entries(besideDirect).map(([k, ds]) => [k, rounds[k]!.map((r, i) => round(r.requests_per_s / ds[i]!.requests_per_s, 2))]));
console.log(JSON.stringify({
  bench: 'proxy',
  seconds: SECONDS,
  concurrency: CONCURRENCY,
  rounds: ROUNDS,
  ...Object.fromEntries(PATHS.flatMap(summary)),
  pod_client: podSummary(),
  ratios_by_round: { ...ratios, pod_client_cluster_ip: podRounds.map((p) => round(p[1].requests_per_s / p[0].requests_per_s, 2)) },
  skipped,
  machine: machine(),
  anchor: { cluster_ip_to_direct_goal: 0.7, kube_proxy_iptables_to_direct: 1.0, source: 'issue 12 goal; kube-proxy iptables/IPVS forward in the kernel (kubernetes.io/docs/reference/networking/virtual-ips)' },
}));
