/**
 * A real control plane core (memory kv, or etcd with KUBEACTOR_SPEC_STORAGE=etcd, + apiserver actor) with the HTTP front on a free
 * loopback port, and the real kubectl pointed at it. kubectl runs as an async child
 * process: the cluster lives in this process, so a blocking spawnSync would stall it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../bus/inprocess.ts';
import { ActorHost } from '../../actors/host.ts';
import { realClock } from '../../base/real-clock.ts';
import { specBackend } from '../helpers/etcd.ts';
import { startControlPlaneCore } from '../../actors/apiserver/start.ts';
import { startSimNodes } from '../../actors/kubelet/index.ts';
import { startScheduler } from '../../actors/scheduler/index.ts';
import { startMetricsServer } from '../../actors/metrics-server/index.ts';
import { startControllers, type RunningControllers } from '../../actors/controllers/start.ts';
import { startKubectlFront } from '../../actors/apiserver/http/index.ts';
import { loadOrCreateToken } from '../../actors/apiserver/http/token.ts';
import { FlowControl } from '../../actors/apiserver/flowcontrol/controller.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  dir: string;
  kubeconfig: string;
  /** The in-process bus the control plane and the front share. */
  bus: InProcessBus;
  /** The actor host every component runs on (the web UI's specs read it). */
  host: ActorHost;
  /** The HTTPS front for REST calls (spec/actors/apiserver/http/client.ts): its URL, CA and admin token. */
  rest: { url: string; ca: string; token: string };
  /** Runs kubectl with `args` (and `input` on stdin); never rejects. */
  kubectl(args: string[], input?: string, timeoutMs?: number): Promise<Run>;
  /** Starts a long-running kubectl (get -w); `stop` ends it and returns what it printed. */
  background(args: string[]): { stop(): Promise<Run>; output(): string };
  stop(): Promise<void>;
}

/** A kubectl run's stdout, asserting it succeeded (`what` and its stderr in the failure). */
export function must(r: Run, what: string): string {
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** What every pod needs from the controller-manager: its ServiceAccount and kube-root-ca.crt (the front's CA). */
export function startPodPrerequisites(host: ActorHost, caCert: string): RunningControllers {
  return startControllers(host, { controllers: 'serviceaccount,root-ca-cert-publisher', options: { 'root-ca-cert-publisher': { 'root-ca': caCert } } });
}

/** More controllers beside the pod prerequisites: `--controllers` names, and their options given the data directory. */
export interface ClusterOptions {
  controllers?: string;
  controllerOptions?: (dir: string) => Record<string, Record<string, unknown>>;
  /** Sim nodes `node-1`… (of `capacity`) and the scheduler, for specs whose pods must be placed and run. */
  nodes?: { count: number; capacity?: Record<string, string> };
  /** Starts metrics-server with this --metric-resolution (ms), for `kubectl top`. */
  metricResolutionMs?: number;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-e2e-'));
  const bus = new InProcessBus();
  const host = new ActorHost({ bus, clock: realClock, seed: 1 });
  const flowControl = new FlowControl();
  // Memory, or etcd with KUBEACTOR_SPEC_STORAGE=etcd (spec/helpers/etcd.ts).
  const backend = await specBackend();
  const core = startControlPlaneCore({ bus, host, backend, apiserver: { flowControl } });
  await core.ready();
  const { front, kubeconfig } = await startKubectlFront({ bus, dataDir: dir, port: 0, flowControl, metrics: host.metrics });
  const controllers = startPodPrerequisites(host, front.caCert);
  const more = opts.controllers ? startControllers(host, { controllers: opts.controllers, options: opts.controllerOptions?.(dir) ?? {} }) : undefined;
  const capacity = opts.nodes?.capacity;
  const nodes = opts.nodes ? await startSimNodes({ host, clock: realClock, count: opts.nodes.count, ...(capacity ? { configure: () => ({ capacity }) } : {}) }) : undefined;
  const scheduler = opts.nodes ? startScheduler(host) : undefined;
  const metrics = opts.metricResolutionMs ? startMetricsServer(host, { resolutionMs: opts.metricResolutionMs }) : undefined;
  const rest = { url: front.url, ca: front.caCert, token: await loadOrCreateToken(dir) };
  // HOME holds kubectl's discovery cache: a fresh one per run, so no run sees another's.
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECTL_NO_WARNINGS: '', NO_COLOR: '1' };
  const base = ['--request-timeout=20s'];
  return {
    dir,
    kubeconfig,
    bus,
    host,
    rest,
    kubectl: (args, input, timeoutMs = 30_000) =>
      new Promise((resolve) => {
        const child = execFile('kubectl', [...base, ...args], { env, timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
        if (input !== undefined) child.stdin?.end(input);
        else child.stdin?.end();
      }),
    background(args) {
      const child = spawn('kubectl', [...base, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const done = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
      return {
        output: () => stdout,
        stop: async () => {
          child.kill('SIGTERM');
          return { code: await done, stdout, stderr };
        },
      };
    },
    async stop() {
      scheduler?.stop();
      metrics?.stop();
      nodes?.stop();
      more?.stop();
      controllers.stop();
      await front.close();
      core.stop();
      await bus.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
