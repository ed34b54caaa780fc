/**
 * kubectl exec / attach / run -i / cp / port-forward with the real kubectl against sim
 * nodes (wall clock): the front upgrades to WebSocket v5.channel.k8s.io and the streams
 * travel over the bus to the kubelet that owns the pod, whose sim runtime answers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../bus/inprocess.ts';
import { ActorHost } from '../../actors/host.ts';
import { realClock } from '../../base/real-clock.ts';
import { silentLogger } from '../../actors/logger.ts';
import { MemoryKv } from '../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../actors/apiserver/start.ts';
import { startPodPrerequisites } from './cluster.ts';
import { startKubectlFront } from '../../actors/apiserver/http/index.ts';
import { startSimNodes } from '../../actors/kubelet/index.ts';
import { simRuntime } from '../../actors/runtime/sim.ts';
import type { PortForwarder, Runtime } from '../../actors/runtime/runtime.ts';
import { fail, internalError, ok, type Result } from '../../base/status.ts';
import { startScheduler } from '../../actors/scheduler/index.ts';
import { eventually } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-exec-'));
const bus = new InProcessBus();
const host = new ActorHost({ bus, clock: realClock, seed: 1, logger: silentLogger });
const core = startControlPlaneCore({ bus, host, backend: new MemoryKv() });
await core.ready();
const { front, kubeconfig } = await startKubectlFront({ bus, dataDir: dir, port: 0 });
const controllers = startPodPrerequisites(host, front.caCert);
const nodes = await startSimNodes({ host, clock: realClock, count: 1 });
/**
 * A node whose runtime forwards ports to 127.0.0.1, as the process runtime does for its pods
 * (loopback pod IPs): the sim for everything else. Its pods are pinned to it by nodeName.
 */
const forwarding: Runtime = {
  ...simRuntime(realClock),
  async portForward(): Promise<Result<PortForwarder>> {
    return ok({
      forward: (port, stream) =>
        new Promise((resolve) => {
          const sock = connect(port, '127.0.0.1');
          sock.once('error', (err) => {
            stream.destroy();
            resolve(fail(internalError(err.message)));
          });
          sock.once('close', () => resolve(ok(undefined)));
          stream.pipe(sock).on('error', () => {});
          sock.pipe(stream).on('error', () => {});
        }),
    });
  },
};
const fwdNodes = await startSimNodes({ host, clock: realClock, count: 1, namePrefix: 'fwd-', runtime: forwarding, startIndex: 1 });
/** The "pod's server": a TCP echo on loopback. */
const echo = createServer((s) => s.pipe(s));
await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
const echoPort = (echo.address() as AddressInfo).port;
const scheduler = startScheduler(host);
const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, NO_COLOR: '1' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const run = (file: string, args: string[], input?: string): Promise<Run> =>
  new Promise((resolve) => {
    const child = execFile(file, args, { env, timeout: 30_000, cwd: dir }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
const kubectl = (args: string[], input?: string) => run('kubectl', ['--request-timeout=20s', ...args], input);

const POLL = { intervalMs: 100, timeoutMs: 10_000 };

test.after(async () => {
  scheduler.stop();
  controllers.stop();
  nodes.stop();
  fwdNodes.stop();
  echo.close();
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

test.before(async () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: box\nspec:\n  containers: [{name: app, image: busybox:1.36, env: [{name: GREETING, value: hello}]}]\n';
  assert.is((await kubectl(['apply', '-f', '-'], pod)).code, 0);
  await eventually(async () => (await kubectl(['get', 'pod', 'box'])).stdout, { what: 'box Running', accept: (s) => /box\s+1\/1\s+Running/.test(s), ...POLL });
});

test('exec runs a command and passes its exit code on: "command terminated with exit code 3"', async () => {
  const echo = await kubectl(['exec', 'box', '--', 'echo', 'hi', 'there']);
  assert.equal([echo.code, echo.stdout, echo.stderr], [0, 'hi there\n', '']);
  const env = await kubectl(['exec', 'box', '--', 'env']);
  assert.match(env.stdout, /^HOSTNAME=box$/m);
  assert.match(env.stdout, /^GREETING=hello$/m);
  const failed = await kubectl(['exec', 'box', '--', 'sh', '-c', 'echo out; exit 3']);
  assert.is(failed.code, 3);
  assert.is(failed.stdout, 'out\n');
  assert.is(failed.stderr.trim(), 'command terminated with exit code 3');
});

test('exec -i carries stdin to the command and closes it (v5 close signal)', async () => {
  const cat = await kubectl(['exec', '-i', 'box', '--', 'cat'], 'line one\nline two\n');
  assert.equal([cat.code, cat.stdout], [0, 'line one\nline two\n']);
  const big = 'x'.repeat(1 << 20);
  const large = await kubectl(['exec', '-i', 'box', '--', 'cat'], big);
  assert.is(large.stdout.length, big.length);
});

test('an unknown container is a 400 and an unknown command an error from the runtime', async () => {
  const r = await kubectl(['exec', 'box', '-c', 'nope', '--', 'echo']);
  assert.is(r.code, 1);
  assert.is(r.stderr.trim(), 'Error from server (BadRequest): container nope is not valid for pod box');
  const missing = await kubectl(['exec', 'nobox', '--', 'echo']);
  assert.is(missing.stderr.trim(), 'Error from server (NotFound): pods "nobox" not found');
  const unknown = await kubectl(['exec', 'box', '--', 'frobnicate']);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /exec: "frobnicate": executable file not found in \$PATH/);
});

test('a tty session is sized by kubectl\'s resize message (exec -it under a pty)', async () => {
  const r = await run('script', ['-qec', 'stty rows 33 cols 101; kubectl --request-timeout=20s exec -it box -- stty size', '/dev/null']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /33 101/);
});

test('kubectl cp copies a file into the pod and a directory out of it', async () => {
  writeFileSync(join(dir, 'notes.txt'), 'first line\nsecond line\n');
  const into = await kubectl(['cp', 'notes.txt', 'box:/tmp/notes.txt']);
  assert.is(into.code, 0, into.stderr);
  assert.is((await kubectl(['exec', 'box', '--', 'cat', '/tmp/notes.txt'])).stdout, 'first line\nsecond line\n');
  // Into a directory: kubectl checks `test -d` and appends the file name.
  assert.is((await kubectl(['cp', 'notes.txt', 'box:/root'])).code, 0);
  assert.is((await kubectl(['exec', 'box', '--', 'cat', '/root/notes.txt'])).stdout, 'first line\nsecond line\n');
  const out = await kubectl(['cp', 'box:/tmp', 'back']);
  assert.is(out.code, 0, out.stderr);
  assert.is(readFileSync(join(dir, 'back', 'notes.txt'), 'utf8'), 'first line\nsecond line\n');
});

test('kubectl run -i --rm feeds stdin to the container, prints its output and deletes the pod', async () => {
  const r = await kubectl(['run', 'once', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'cat'], 'through the container\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /through the container\n/);
  assert.match(r.stdout, /pod "once" deleted/);
  await eventually(async () => (await kubectl(['get', 'pod', 'once'])).stderr, { what: 'once gone', accept: (s) => /NotFound/.test(s), ...POLL });
});

test('kubectl attach stays attached until the container exits', async () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: brief\n  annotations: {sim.kubeactor.io/exit-after-s: "8"}\nspec:\n  restartPolicy: Never\n  containers: [{name: app, image: busybox:1.36}]\n';
  assert.is((await kubectl(['apply', '-f', '-'], pod)).code, 0);
  await eventually(async () => (await kubectl(['get', 'pod', 'brief'])).stdout, { what: 'brief Running', accept: (s) => /brief\s+1\/1\s+Running/.test(s), ...POLL });
  const r = await kubectl(['attach', 'brief']);
  assert.is(r.code, 0, r.stderr);
  // It returned because the container ended (8 s after it started), not at once: the pod completes right after.
  await eventually(async () => (await kubectl(['get', 'pod', 'brief'])).stdout, { what: 'brief Completed', accept: (s) => /Completed/.test(s), intervalMs: 100, timeoutMs: 4000 });
});

test('port-forward to a sim pod is refused with the reason', async () => {
  const r = await kubectl(['port-forward', 'pod/box', '18080:80']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /pod default\/box runs on the sim runtime, which runs no processes/);
});

/** Runs `kubectl port-forward` to the echo port of pod web and sends a megabyte through it. */
async function forwardThrough(extraEnv: Record<string, string>): Promise<void> {
  const pf = spawn('kubectl', ['port-forward', 'pod/web', `:${echoPort}`, '--address', '127.0.0.1'], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  pf.stdout.on('data', (d: Buffer) => (out += d));
  pf.stderr.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<void>((r) => pf.once('close', () => r()));
  try {
    const local = Number((await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out), { what: 'Forwarding from', ...POLL, detail: () => out }))[1]);
    // A megabyte each way: more than every window on the path, so credit has to flow.
    const payload = Buffer.alloc(1 << 20, 'abcdefgh');
    const back = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let n = 0;
      const sock = connect(local, '127.0.0.1', () => sock.write(payload));
      sock.on('data', (d: Buffer) => {
        parts.push(d);
        n += d.length;
        if (n >= payload.length) sock.end();
      });
      sock.on('close', () => resolve(Buffer.concat(parts)));
      sock.on('error', reject);
    });
    assert.ok(back.equals(payload), `echoed ${back.length} bytes; kubectl said: ${out}`);
  } finally {
    pf.kill('SIGTERM');
    await exited;
  }
}

test('kubectl port-forward carries a TCP connection to the pod and back, over the bus', async () => {
  const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  nodeName: fwd-1\n  containers: [{name: app, image: busybox:1.36}]\n`;
  assert.is((await kubectl(['apply', '-f', '-'], pod)).code, 0);
  await eventually(async () => (await kubectl(['get', 'pod', 'web'])).stdout, { what: 'web Running', accept: (s) => /web\s+1\/1\s+Running/.test(s), ...POLL });
  // kubectl 1.32 tunnels SPDY/3.1 in a WebSocket by default; with the feature off it upgrades to SPDY itself.
  await forwardThrough({});
  await forwardThrough({ KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
});

test('a plain request to pods/exec is a 400 "Upgrade request required"', async () => {
  const r = await kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/box/exec?command=echo&stdout=true']);
  assert.match(r.stderr, /Upgrade request required/);
});

test.run();
