import { spawn, type ChildProcess } from 'node:child_process';
import { reapOnExit } from './child-reaper.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts a local nats-server (Debian's by default) on a free loopback port, for specs,
 * benches and the CLI's embedded mode. The server gets a temporary store directory and,
 * when given, a generated config (users and permissions: bus/nats/server-config.ts).
 * It is stopped by PID, SIGTERM then SIGKILL; every server still running when this
 * process exits is killed, so a failed spec never leaves one behind.
 */
export interface NatsServerOptions {
  /** Config file text (e.g. from `natsServerConfig`). */
  config?: string;
  jetstream?: boolean;
  /** Default `/usr/sbin/nats-server`, or `$NATS_SERVER`. */
  binary?: string;
  /** Fixed port; default a free one. */
  port?: number;
  /** How long to wait for the server to accept connections; default 10 s. */
  startTimeoutMs?: number;
  /** Forward the server's output to stderr (debugging). */
  verbose?: boolean;
  /** Join a cluster: this server's name, its route port and every member's route port (loopback). */
  cluster?: { name: string; serverName: string; port: number; routes: number[] };
}

export interface NatsServerHandle {
  readonly url: string;
  readonly port: number;
  /** PID of the current server process (changes on restart). */
  readonly pid: number;
  readonly storeDir: string;
  /** Stops the server (SIGTERM, SIGKILL after `graceMs`) and removes its store directory. */
  stop(graceMs?: number): Promise<void>;
  /** Stops the server, keeping its store, and starts it again on the same port. */
  restart(opts?: { downMs?: number }): Promise<void>;
}

/** A port that was free a moment ago: bind port 0 on loopback, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = tcpConnect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = opts.binary ?? process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
  const storeDir = await mkdtemp(join(tmpdir(), 'kubeactor-nats-'));
  const port = opts.port ?? (await freePort());
  const args = ['-a', '127.0.0.1', '-p', String(port)];
  if (opts.config !== undefined) {
    const file = join(storeDir, 'nats-server.conf');
    await writeFile(file, opts.config);
    args.push('-c', file);
  }
  if (opts.jetstream) args.push('-js', '-sd', join(storeDir, 'jetstream'));
  if (opts.cluster) {
    const c = opts.cluster;
    const routes = c.routes.filter((p) => p !== c.port).map((p) => `nats://127.0.0.1:${p}`);
    args.push('-n', c.serverName, '--cluster_name', c.name, '--cluster', `nats://127.0.0.1:${c.port}`, '--routes', routes.join(','));
  }
  let child: ChildProcess | undefined;
  let log = '';

  async function launch(): Promise<void> {
    const c = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    reapOnExit(c);
    const onData = (d: Buffer) => {
      if (opts.verbose) process.stderr.write(d);
      log = (log + d.toString()).slice(-4000);
    };
    c.stdout!.on('data', onData);
    c.stderr!.on('data', onData);
    let exited = false;
    c.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
    while (!(await accepts(port))) {
      if (exited) throw new Error(`nats-server exited before accepting connections on port ${port}:\n${log}`);
      if (Date.now() > deadline) {
        await kill(c, 1000);
        throw new Error(`nats-server did not accept connections on port ${port} in time:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    storeDir,
    async stop(graceMs = 3000) {
      if (child) await kill(child, graceMs);
      await rm(storeDir, { recursive: true, force: true });
    },
    async restart(r = {}) {
      if (child) await kill(child, 3000);
      if (r.downMs) await new Promise((res) => setTimeout(res, r.downMs));
      await launch();
    },
  };
}

/** SIGTERM by PID, then SIGKILL if it is still alive after `graceMs`. */
function kill(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.pid) process.kill(child.pid, 'SIGTERM');
  });
}
