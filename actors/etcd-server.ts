import { spawn, type ChildProcess } from 'node:child_process';
import { reapOnExit } from './child-reaper.ts';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nats-server.ts';

/**
 * Starts a local etcd (Debian's `etcd-server`, 3.4) for specs and benches: one member or a
 * cluster of several, each with its own data directory under one temporary directory and
 * free loopback ports for clients and peers. Members are stopped by PID (SIGTERM, then
 * SIGKILL); every member still running when this process exits is killed, so a failed spec
 * leaves none behind (a process killed by SIGKILL runs no exit hook: its members are
 * orphaned). Every member's command line names its temporary directory (`--data-dir`), so
 * a spec counts its own leftovers by those directories (`startedEtcdDirs`).
 */
export interface EtcdClusterOptions {
  /** Members (default 1; 3 for a cluster that survives one failure). */
  members?: number;
  /** Default `/usr/bin/etcd`, or `$ETCD`. */
  binary?: string;
  /** How long to wait for every member to report healthy; default 20 s. */
  startTimeoutMs?: number;
  /** Forward the members' logs to stderr (debugging). */
  verbose?: boolean;
  /**
   * Serve clients over TLS with these PEM files (etcd's --cert-file, --key-file, and with `ca`
   * --trusted-ca-file --client-cert-auth: clients must show a certificate the CA signed).
   */
  tls?: { cert: string; key: string; ca: string };
  /** Let this process exit while the members run (they are killed on exit): for an etcd shared by a whole spec file. */
  unref?: boolean;
  /** Extra flags for every member, e.g. `['--experimental-watch-progress-notify-interval', '1s']`. */
  flags?: string[];
}

export interface EtcdMember {
  readonly name: string;
  /** `http://127.0.0.1:PORT`. */
  readonly clientUrl: string;
  /** PID of the member's current process; -1 while it is down. */
  readonly pid: number;
  readonly running: boolean;
  /** Sends `signal` (default SIGKILL) and waits for the process to exit; its data directory stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the member again on its ports and data directory (after `kill`), waiting until it is healthy. */
  start(): Promise<void>;
}

export interface EtcdCluster {
  readonly members: EtcdMember[];
  /** Every member's client URL, for a client's endpoint list. */
  readonly endpoints: string[];
  /** `etcd://HOST:PORT,HOST:PORT…`, as `kubeactor up --storage` takes it. */
  readonly storage: string;
  readonly dir: string;
  /** Stops every member (SIGTERM, SIGKILL after `graceMs`) and removes the data directories. */
  stop(graceMs?: number): Promise<void>;
}

const dirs: string[] = [];

/** The temporary directories of every etcd this process started (their members' command lines name them). */
export const startedEtcdDirs = (): readonly string[] => dirs;

export async function startEtcd(opts: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const binary = opts.binary ?? process.env.ETCD ?? '/usr/bin/etcd';
  const n = opts.members ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'kubeactor-etcd-'));
  dirs.push(dir);
  const specs: { name: string; client: number; peer: number }[] = [];
  for (let i = 0; i < n; i++) specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const token = `kubeactor-${process.pid}-${Date.now()}`;
  const members = specs.map((s) => member(binary, dir, s, initialCluster, token, opts));
  try {
    // A member of a new cluster is healthy only once a quorum has formed: start all, then wait.
    for (const m of members) m.launch();
    await Promise.all(members.map((m) => m.healthy(opts.startTimeoutMs ?? 20_000)));
  } catch (err) {
    await Promise.all(members.map((m) => m.kill('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const endpoints = members.map((m) => m.clientUrl);
  return {
    members,
    endpoints,
    storage: `etcd://${endpoints.map((u) => u.replace(/^https?:\/\//, '')).join(',')}`,
    dir,
    async stop(graceMs = 3000) {
      await Promise.all(members.map((m) => m.stop(graceMs)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function member(
  binary: string,
  dir: string,
  s: { name: string; client: number; peer: number },
  initialCluster: string,
  token: string,
  opts: EtcdClusterOptions,
): EtcdMember & { launch(): void; healthy(timeoutMs: number): Promise<void>; stop(graceMs: number): Promise<void> } {
  const clientUrl = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${s.client}`;
  const peerUrl = `http://127.0.0.1:${s.peer}`;
  const args = [
    '--name', s.name,
    '--data-dir', join(dir, s.name),
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', initialCluster,
    '--initial-cluster-token', token,
    '--initial-cluster-state', 'new',
    '--logger', 'zap',
    '--log-level', opts.verbose ? 'info' : 'error',
    ...(opts.tls ? ['--cert-file', opts.tls.cert, '--key-file', opts.tls.key, '--trusted-ca-file', opts.tls.ca, '--client-cert-auth'] : []),
    ...(opts.flags ?? []),
  ];
  let child: ChildProcess | null = null;
  let log = '';
  const self = {
    name: s.name,
    clientUrl,
    get pid() {
      return child?.pid ?? -1;
    },
    get running() {
      return child !== null;
    },
    launch(): void {
      const c = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      reapOnExit(c);
      const onData = (d: Buffer): void => {
        if (opts.verbose) process.stderr.write(d);
        log = (log + d.toString()).slice(-4000);
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', onData);
      if (opts.unref) for (const h of [c, c.stdout, c.stderr] as unknown as { unref(): void }[]) h.unref();
      c.once('exit', () => {
        if (child === c) child = null;
      });
    },
    async healthy(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!child) throw new Error(`etcd member ${s.name} exited before it was healthy:\n${log}`);
        // etcd's /health is true once the member has a leader and can serve a linearizable read.
        const ok = await health(clientUrl, opts.tls);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`etcd member ${s.name} was not healthy in ${timeoutMs} ms:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        if (c.pid) process.kill(c.pid, signal);
      });
    },
    async start(): Promise<void> {
      if (child) return;
      self.launch();
      await self.healthy(opts.startTimeoutMs ?? 20_000);
    },
    async stop(graceMs: number): Promise<void> {
      const c = child;
      if (!c) return;
      const timer = setTimeout(() => c.pid && c.exitCode === null && process.kill(c.pid, 'SIGKILL'), graceMs);
      await self.kill('SIGTERM');
      clearTimeout(timer);
    },
  };
  return self;
}

/** etcd's /health says true once the member has a leader and can serve a linearizable read (over TLS with the CA's client certificate). */
function health(clientUrl: string, tls: EtcdClusterOptions['tls']): Promise<boolean> {
  if (!tls) return fetch(`${clientUrl}/health`).then(async (r) => r.ok && ((await r.json()) as { health?: string }).health === 'true', () => false);
  return new Promise((resolve) => {
    const req = httpsGet(`${clientUrl}/health`, { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
    });
    req.on('error', () => resolve(false));
  });
}
