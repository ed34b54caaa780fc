import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer as createHttp2 } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realClock } from '../../../base/real-clock.ts';
import { imageCatalogue } from '../../../actors/runtime/images/catalogue.ts';
import { cgroupLimits, cgroupSupport } from '../../../actors/runtime/process/cgroup.ts';
import { processRuntime, type ProcessRuntime, type ProcessRuntimeOptions } from '../../../actors/runtime/process/runtime.ts';
import type { ContainerExit, Mount } from '../../../actors/runtime/runtime.ts';
import { eventually } from '../../helpers/wait.ts';
import { LOADER } from '../../helpers/cli.ts';
import { processesNaming } from '../../helpers/processes.ts';
import { runtimeContract } from './contract.ts';

const root = mkdtempSync(join(tmpdir(), 'kubeactor-process-rt-'));
const made: ProcessRuntime[] = [];
const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

function runtime(extra: Partial<ProcessRuntimeOptions> = {}): ProcessRuntime {
  const rt = processRuntime({ clock: realClock, nodeName: 'n1', stateDir: mkdtempSync(join(root, 'node-')), ...extra });
  made.push(rt);
  return rt;
}

const busybox = (name: string, command: string[], more: Partial<Container> = {}): Container => ({ name, image: 'busybox:1.36', command, ...more });

runtimeContract('process', () => ({
  runtime: runtime(),
  pass: sleep,
  longRunning: (name) => busybox(name, ['sleep', '3600']),
  // SIGTERM is ignored from env's exec on; the contract waits for `ready`, since a stop that
  // comes before the sandbox got to env (under load) would find the default disposition.
  stubborn: (name) => busybox(name, ['env', '--ignore-signal=TERM', 'sh', '-c', 'echo ready; while :; do sleep 0.1; done']),
  stubbornReady: 'ready',
})).run();

/** A loopback pod IP unlikely to be used by another spec at the same time. */
const podIP = (): string => `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;

async function run(rt: ProcessRuntime, spec: Container, opts: { ip?: string; mounts?: Mount[]; pod?: Partial<Pod['spec']> } = {}) {
  const pod: Pod = { metadata: { name: 'web-1', namespace: 'default', uid: `uid-${Math.random()}` }, spec: { containers: [spec], ...opts.pod } };
  const exits: ContainerExit[] = [];
  const sb = await rt.runPodSandbox(pod, { onExit: (e) => exits.push(e) }, opts.ip ? { ip: opts.ip } : {});
  assert.ok(sb.ok, JSON.stringify(sb));
  const sandboxId = sb.ok ? sb.value.sandboxId : '';
  assert.ok((await rt.pullImage(spec.image ?? '', pod)).ok);
  const cr = await rt.createContainer(sandboxId, spec, 0, opts.mounts ? { mounts: opts.mounts } : {});
  assert.ok(cr.ok);
  const id = cr.ok ? cr.value.containerId : '';
  const started = await rt.startContainer(id);
  return { pod, sandboxId, id, exits, started, target: { podUid: pod.metadata!.uid!, container: spec.name } };
}

test('a command runs with the host tools; its output is the log (tail, timestamps); exit codes as the process ended', async () => {
  const rt = runtime();
  const r = await run(rt, busybox('app', ['sh', '-c', 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; exit 3']));
  await eventually(() => r.exits.length === 1);
  assert.is(r.exits[0]!.exitCode, 3);
  assert.equal(await rt.logs(r.target), { ok: true, value: ['one', 'two', 'three'] });
  assert.equal(await rt.logs(r.target, { tailLines: 1 }), { ok: true, value: ['three'] });
  const ts = await rt.logs(r.target, { tailLines: 1, timestamps: true });
  assert.ok(ts.ok && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three$/.test(ts.value[0]!), JSON.stringify(ts));
});

test('the sandbox: pod hostname, own PID namespace, read-only system dirs, private /tmp, POD_IP, workingDir, env', async () => {
  writeFileSync('/tmp/kubeactor-host-only', 'x');
  const rt = runtime();
  const ip = podIP();
  const r = await run(rt, busybox('app', ['sh', '-c', 'hostname; echo pid=$$; touch /usr/x 2>/dev/null || echo ro; ls /tmp; echo ip=$POD_IP; pwd; echo $GREETING'], {
    workingDir: '/usr/bin', env: [{ name: 'GREETING', value: 'hello' }],
  }), { ip });
  await eventually(() => r.exits.length === 1);
  const out = await rt.logs(r.target);
  assert.equal(out, { ok: true, value: ['web-1', 'pid=2', 'ro', `ip=${ip}`, '/usr/bin', 'hello'] });
});

test('stopping ends the whole tree; exec probes see the container\'s /tmp; the termination message is reported', async () => {
  const stateDir = mkdtempSync(join(root, 'tree-'));
  const rt = runtime({ stateDir });
  const r = await run(rt, busybox('app', ['sh', '-c', 'echo ok > /tmp/healthy; echo bye > /dev/termination-log; sleep 1000 & sleep 1000 & wait']));
  await eventually(async () => {
    const p = await rt.execProbe(r.id, { exec: { command: ['cat', '/tmp/healthy'] } }, 'liveness');
    return p.ok && p.value.result === 'success';
  });
  const bad = await rt.execProbe(r.id, { exec: { command: ['cat', '/tmp/nope'] } }, 'liveness');
  assert.equal(bad, { ok: true, value: { result: 'failure', message: 'cat: /tmp/nope: No such file or directory' } });
  const stopped = await rt.stopContainer(r.id, 5);
  assert.equal(stopped, { ok: true, value: { exitCode: 143 } });
  assert.is(r.exits[0]!.message, 'bye\n');
  assert.equal(leftovers(stateDir), []);
});

test('FallbackToLogsOnError: a failed container without a termination message reports its log tail', async () => {
  const rt = runtime();
  const r = await run(rt, busybox('app', ['sh', '-c', 'echo disk full; exit 1'], { terminationMessagePolicy: 'FallbackToLogsOnError' }));
  await eventually(() => r.exits.length === 1);
  assert.is(r.exits[0]!.message, 'disk full');
  const st = await rt.containerStatus(r.id);
  assert.ok(st.ok && st.value.state === 'exited' && st.value.exitCode === 1 && st.value.message === 'disk full');
});

test('volumes are bound at their mountPath, read-only ones refuse writes', async () => {
  const rt = runtime();
  const rw = mkdtempSync(join(root, 'vol-rw-'));
  const ro = mkdtempSync(join(root, 'vol-ro-'));
  writeFileSync(join(ro, 'config.txt'), 'from-configmap');
  const mounts = [{ hostPath: rw, containerPath: '/data', readOnly: false }, { hostPath: ro, containerPath: '/etc/app', readOnly: true }];
  const r = await run(rt, busybox('app', ['sh', '-c', 'cat /etc/app/config.txt; echo; echo hi > /data/out; (echo x > /etc/app/y) 2>/dev/null || echo refused']), { mounts });
  await eventually(() => r.exits.length === 1);
  assert.equal(await rt.logs(r.target), { ok: true, value: ['from-configmap', 'refused'] });
  assert.is(readFileSync(join(rw, 'out'), 'utf8'), 'hi\n');
});

test('built-in images answer on the pod IP; httpGet and tcpSocket probes reach them; SIGTERM ends them with 0', async () => {
  const rt = runtime();
  const ip = podIP();
  const web = await run(rt, { name: 'web', image: 'kubeactor/http-echo:1.0', ports: [{ name: 'http', containerPort: 8080 }] }, { ip });
  await eventually(async () => {
    const p = await rt.execProbe(web.id, { httpGet: { port: 'http', path: '/healthz' } }, 'readiness');
    return p.ok && p.value.result === 'success';
  });
  const body = await new Promise<string>((res, rej) => {
    request(`http://${ip}:8080/hello`, (resp) => {
      let b = '';
      resp.on('data', (d) => (b += d));
      resp.on('end', () => res(b));
    }).on('error', rej).end();
  });
  assert.match(body, /^pod: web-1\nrequest: GET \/hello HTTP\/1.1\n/);
  const refused = await rt.execProbe(web.id, { tcpSocket: { port: 8081 }, timeoutSeconds: 1 }, 'liveness');
  assert.equal(refused, { ok: true, value: { result: 'failure', message: `dial tcp ${ip}:8081: connect: connection refused` } });
  const tcp = await rt.execProbe(web.id, { tcpSocket: { port: 8080 } }, 'liveness');
  assert.ok(tcp.ok && tcp.value.result === 'success');
  assert.equal(await rt.stopContainer(web.id, 10), { ok: true, value: { exitCode: 0 } });
});

test('grpc probes ask grpc.health.v1.Health/Check', async () => {
  const ip = podIP();
  let answer = 1;
  const server = createHttp2();
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.on('data', () => undefined);
    stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, answer]));
  });
  await new Promise<void>((res) => server.listen(0, ip, res));
  const port = (server.address() as { port: number }).port;
  const rt = runtime();
  const r = await run(rt, busybox('app', ['sleep', '3600']), { ip });
  assert.equal(await rt.execProbe(r.id, { grpc: { port } }, 'liveness'), { ok: true, value: { result: 'success' } });
  answer = 2;
  assert.equal(await rt.execProbe(r.id, { grpc: { port } }, 'liveness'), { ok: true, value: { result: 'failure', message: 'service unhealthy (responded with "NOT_SERVING")' } });
  server.close();
  await rt.stopContainer(r.id, 0);
});

test('hooks: exec preStop runs in the container; a failing one is an error', async () => {
  const rt = runtime();
  const r = await run(rt, busybox('app', ['sleep', '3600']));
  assert.ok((await rt.runHook(r.id, { exec: { command: ['sh', '-c', 'echo stopping > /tmp/x'] } }, 'preStop', 5)).ok);
  assert.equal(await rt.execProbe(r.id, { exec: { command: ['grep', '-q', 'stopping', '/tmp/x'] } }, 'liveness'), { ok: true, value: { result: 'success' } });
  const failed = await rt.runHook(r.id, { exec: { command: ['sh', '-c', 'echo nope; exit 2'] } }, 'preStop', 5);
  assert.ok(!failed.ok && failed.status.message === 'nope');
  await rt.stopContainer(r.id, 0);
});

test('images: an unknown one fails the pull with containerd\'s NotFound; a missing command cannot start; the user map runs host commands', async () => {
  const rt = runtime({ images: imageCatalogue([{ match: 'nginx:*', command: ['sh', '-c'], args: ['echo mapped $GREETING'], env: { GREETING: 'hi' } }]) });
  const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [] } };
  const pulled = await rt.pullImage('nosuch/app:2', pod);
  assert.ok(!pulled.ok && pulled.status.reason === 'NotFound');
  if (!pulled.ok) assert.match(pulled.status.message, /^rpc error: code = NotFound desc = failed to pull and unpack image "docker.io\/nosuch\/app:2": failed to resolve reference/);
  const missing = await run(rt, busybox('app', ['no-such-tool']));
  assert.ok(!missing.started.ok && /exec: "no-such-tool": executable file not found in \$PATH/.test(missing.started.status.message));
  const mapped = await run(rt, { name: 'web', image: 'nginx:1.27' });
  await eventually(() => mapped.exits.length === 1);
  assert.equal(await rt.logs(mapped.target), { ok: true, value: ['mapped hi'] });
});

test('logs rotate at containerLogMaxSize, keeping containerLogMaxFiles; previous is the instance before a restart', async () => {
  const stateDir = mkdtempSync(join(root, 'rotate-'));
  const rt = runtime({ stateDir, logLimits: { maxSize: 200, maxFiles: 2 } });
  const r = await run(rt, busybox('app', ['sh', '-c', 'for i in $(seq 1 40); do echo line $i; done']));
  await eventually(() => r.exits.length === 1);
  const lines = await rt.logs(r.target);
  assert.ok(lines.ok && lines.value.at(-1) === 'line 40' && lines.value.length < 40 && lines.value.length > 2, JSON.stringify(lines));
  const podLogs = join(stateDir, 'logs', readdirSync(join(stateDir, 'logs'))[0]!, 'app');
  const files = readdirSync(podLogs).sort();
  assert.is(files.length, 2);
  assert.is(files[0], '0.log');
  assert.match(files[1]!, /^0\.log\.\d+$/);
  const again = await rt.createContainer(r.sandboxId, busybox('app', ['echo', 'second']), 1);
  assert.ok(again.ok);
  if (again.ok) await rt.startContainer(again.value.containerId);
  await eventually(() => r.exits.length === 2);
  assert.equal(await rt.logs(r.target), { ok: true, value: ['second'] });
  const prev = await rt.logs(r.target, { previous: true, tailLines: 1 });
  assert.equal(prev, { ok: true, value: ['line 40'] });
});

/** Starts a kubelet-like child process that runs one sleeping container in `stateDir`, and SIGKILLs it. */
async function crashWithAContainer(stateDir: string): Promise<void> {
  const code = `
    import { processRuntime } from './actors/runtime/process/runtime.ts';
    import { realClock } from './base/real-clock.ts';
    const rt = processRuntime({ clock: realClock, nodeName: 'n1', stateDir: ${JSON.stringify(stateDir)} });
    const pod = { metadata: { name: 'p', namespace: 'default', uid: 'crash' }, spec: { containers: [] } };
    const sb = await rt.runPodSandbox(pod, { onExit: () => {} });
    await rt.pullImage('busybox', pod);
    const c = await rt.createContainer(sb.value.sandboxId, { name: 'c', image: 'busybox', command: ['sleep', '600'] }, 0);
    await rt.startContainer(c.value.containerId);
    console.log('started');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', LOADER, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('started') && res()));
  await sleep(200);
  child.kill('SIGKILL');
  await new Promise((res) => child.once('exit', res));
}

test('a killed kubelet\'s sandboxes are ended when its node starts again', async () => {
  const stateDir = mkdtempSync(join(root, 'crash-'));
  await crashWithAContainer(stateDir);
  const pgids = readdirSync(join(stateDir, 'pgids')).map(Number);
  assert.is(pgids.length, 1);
  // bwrap's outer process dies with its parent; the sandbox (its init and the container) does not.
  await sleep(300);
  assert.ok(members(pgids).length > 0);
  const rt = runtime({ stateDir });
  assert.is(rt.reaped, 1);
  await eventually(() => members(pgids).length === 0);
  assert.equal(readdirSync(join(stateDir, 'pgids')), []);
});

test('the reaper leaves a group alone whose number a new process took', async () => {
  const stateDir = mkdtempSync(join(root, 'reap-'));
  mkdirSync(join(stateDir, 'pgids'), { recursive: true });
  writeFileSync(join(stateDir, 'pgids', String(process.pid)), 'not-its-start-time');
  const rt = runtime({ stateDir });
  assert.is(rt.reaped, 0);
  assert.equal(readdirSync(join(stateDir, 'pgids')), []);
});

test('cgroup v1 (or no delegation): limits are not enforced and the reason says so; limits map to cpu.max and memory.max', () => {
  const fake = mkdtempSync(join(root, 'cg-'));
  const s = cgroupSupport('n1', fake);
  assert.ok(!s.enforced && /cgroup v1 only/.test(s.reason));
  if (!existsSync('/sys/fs/cgroup/cgroup.controllers')) assert.not.ok(runtime().cgroups.enforced);
  assert.equal(cgroupLimits({ limits: { memory: '64Mi', cpu: '500m' } }), { memoryMax: 64 * 1024 * 1024, cpuMax: '50000 100000' });
  assert.equal(cgroupLimits({}), { memoryMax: null, cpuMax: null });
});

test('no bubblewrap: the sandbox fails saying what to install', async () => {
  const rt = runtime({ bwrap: null });
  const r = await rt.runPodSandbox({ metadata: { name: 'p', uid: 'u' } }, { onExit: () => undefined });
  assert.ok(!r.ok && /install it \(Debian\/Ubuntu: apt-get install bubblewrap/.test(r.status.message));
});

/** Processes still running in one of `pgids`. */
function members(pgids: number[]): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (pgids.includes(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]))) out.push(Number(pid));
    } catch { /* gone */ }
  }
  return out;
}

/** Processes still running whose command line names `dir` (every bwrap's does). */
const leftovers = (dir = root): string[] => processesNaming(dir);

test('none of the processes the specs started is left behind', async () => {
  await Promise.all(made.map((rt) => rt.shutdown()));
  assert.equal(leftovers(), []);
  rmSync(root, { recursive: true, force: true });
});

test.run();
