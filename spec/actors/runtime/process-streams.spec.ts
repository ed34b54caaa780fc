/**
 * exec, attach and port-forward into process containers (runtime level; the kubectl path is
 * spec/e2e/process-scenarios.ts): real sandboxes, real processes, real sockets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, PassThrough, Writable } from 'node:stream';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realClock } from '../../../base/real-clock.ts';
import { processRuntime, type ProcessRuntime } from '../../../actors/runtime/process/runtime.ts';
import type { ContainerExit, Mount, StreamIO, TerminalSize } from '../../../actors/runtime/runtime.ts';
import { eventually } from '../../helpers/wait.ts';
import { processesNaming } from '../../helpers/processes.ts';

const root = mkdtempSync(join(tmpdir(), 'kubeactor-process-streams-'));
const rt: ProcessRuntime = processRuntime({ clock: realClock, nodeName: 'n1', stateDir: mkdtempSync(join(root, 'node-')) });
const podIP = (): string => `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;

async function run(spec: Container, opts: { ip?: string; mounts?: Mount[] } = {}) {
  const pod: Pod = { metadata: { name: 'web-1', namespace: 'default', uid: `uid-${Math.random()}` }, spec: { containers: [spec] } };
  const exits: ContainerExit[] = [];
  const sb = await rt.runPodSandbox(pod, { onExit: (e) => exits.push(e) }, opts.ip ? { ip: opts.ip } : {});
  assert.ok(sb.ok);
  assert.ok((await rt.pullImage(spec.image ?? '', pod)).ok);
  const cr = await rt.createContainer(sb.ok ? sb.value.sandboxId : '', spec, 0, opts.mounts ? { mounts: opts.mounts } : {});
  const id = cr.ok ? cr.value.containerId : '';
  assert.ok((await rt.startContainer(id)).ok);
  return { id, exits, target: { podUid: pod.metadata!.uid!, container: spec.name } };
}

/** A Writable that keeps what it is given. */
function collect(): { stream: Writable; text(): string } {
  const parts: Buffer[] = [];
  return { stream: new Writable({ write: (c: Buffer, _e, cb) => (parts.push(Buffer.from(c)), cb()) }), text: () => Buffer.concat(parts).toString() };
}

function io(more: Partial<StreamIO> & { size?: TerminalSize } = {}): { io: StreamIO; out: ReturnType<typeof collect>; err: ReturnType<typeof collect> } {
  const out = collect();
  const err = collect();
  const { size, ...rest } = more;
  const tty = rest.tty ?? false;
  return {
    out, err,
    io: { stdout: out.stream, ...(tty ? {} : { stderr: err.stream }), tty, onResize: (l) => size && l(size), ...rest },
  };
}

test('exec sees the container: its mounts, env, workingDir, hostname and /tmp; exit codes; an unknown executable fails in containerd\'s words', async () => {
  const vol = mkdtempSync(join(root, 'cm-'));
  writeFileSync(join(vol, 'greeting'), 'hello from the configmap');
  const c = await run({
    name: 'app', image: 'busybox', command: ['sh', '-c', 'echo mine > /tmp/own; sleep 3600'], workingDir: '/etc/app',
    env: [{ name: 'PASSWORD', value: 's3cret' }],
  }, { mounts: [{ hostPath: vol, containerPath: '/etc/app', readOnly: true }] });
  await eventually(async () => {
    const s = io();
    const r = await rt.exec(c.target, ['cat', '/tmp/own'], s.io);
    return r.ok && r.value.exitCode === 0 && s.out.text() === 'mine\n';
  });
  const s = io();
  const r = await rt.exec(c.target, ['sh', '-c', 'cat greeting; echo; echo $PASSWORD; pwd; hostname; echo oops >&2; exit 7'], s.io);
  assert.equal(r, { ok: true, value: { exitCode: 7 } });
  assert.is(s.out.text(), 'hello from the configmap\ns3cret\n/etc/app\nweb-1\n');
  assert.is(s.err.text(), 'oops\n');
  const missing = await rt.exec(c.target, ['nosuchtool'], io().io);
  assert.ok(!missing.ok && missing.status.code === 500);
  assert.match(missing.ok ? '' : missing.status.message, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchtool": executable file not found in $PATH: unknown');
  await rt.stopContainer(c.id, 0);
  const stopped = await rt.exec(c.target, ['true'], io().io);
  assert.ok(!stopped.ok && stopped.status.message === 'container not found ("app")');
});

test('exec with a tty runs on a pty of the size kubectl gives, resized as it changes', async () => {
  const c = await run({ name: 'app', image: 'busybox', command: ['sleep', '3600'] });
  let resize: (s: TerminalSize) => void = () => undefined;
  const stdin = new PassThrough();
  const s = io({ tty: true, stdin, onResize: (l) => ((resize = l), l({ width: 100, height: 30 })) });
  const running = rt.exec(c.target, ['sh', '-c', 'tty; stty size; while read l; do stty size; done'], s.io);
  await eventually(() => s.out.text().includes('30 100'));
  resize({ width: 132, height: 43 });
  await eventually(() => stdin.write('\n') && s.out.text().includes('43 132'));
  stdin.end();
  assert.equal(await running, { ok: true, value: { exitCode: 0 } });
  assert.match(s.out.text(), /^\/dev\/pts\/\d+\r\n30 100\r\n[\s\S]*43 132\r\n/);
  await rt.stopContainer(c.id, 0);
});

test('a client that goes away ends its command; a container that stops ends its execs', async () => {
  const c = await run({ name: 'app', image: 'busybox', command: ['sleep', '3600'] });
  const gone = io();
  const abandoned = rt.exec(c.target, ['sleep', '3601'], gone.io);
  // The command itself, not nsenter naming it: stopped before it has entered, nsenter fails (1), not the command.
  const started = (arg: string) => processesNaming(arg).some((p) => p.split(': ')[1]!.startsWith(`sleep ${arg}`));
  await eventually(() => started('3601'));
  gone.io.stdout!.destroy();
  assert.equal(await abandoned, { ok: true, value: { exitCode: 137 } });
  const orphan = rt.exec(c.target, ['sleep', '3602'], io().io);
  await eventually(() => started('3602'));
  await rt.stopContainer(c.id, 1);
  assert.equal(await orphan, { ok: true, value: { exitCode: 137 } });
  assert.equal(processesNaming(root), []);
});

test('attach feeds a stdin container and shows its output from then on; stdinOnce closes its stdin when the client does', async () => {
  const c = await run({ name: 'app', image: 'busybox', stdin: true, stdinOnce: true, command: ['sh', '-c', 'echo before; while read l; do echo got $l; done; echo bye; exit 4'] });
  await eventually(async () => (await rt.logs(c.target)).ok && ((await rt.logs(c.target)) as { value: string[] }).value.includes('before'));
  const stdin = new PassThrough();
  const s = io({ stdin });
  const attached = rt.attach(c.target, s.io);
  stdin.write('one\n');
  await eventually(() => s.out.text() === 'got one\n');
  stdin.end('two\n');
  assert.equal(await attached, { ok: true, value: undefined });
  assert.is(s.out.text(), 'got one\ngot two\nbye\n');
  await eventually(() => c.exits.length === 1);
  assert.is(c.exits[0]!.exitCode, 4);
  assert.equal(await rt.logs(c.target), { ok: true, value: ['before', 'got one', 'got two', 'bye'] });
});

test('port-forward joins a stream to the pod\'s port; a closed port is refused in kubelet\'s words', async () => {
  const ip = podIP();
  const c = await run({ name: 'web', image: 'kubeactor/http-echo:1.0' }, { ip });
  const pf = await rt.portForward(c.target.podUid);
  assert.ok(pf.ok);
  if (!pf.ok) return;
  const ask = async (port: number) => {
    const input = new PassThrough();
    const out = collect();
    const r = pf.value.forward(port, Duplex.from({ readable: input, writable: out.stream }));
    input.end('GET /through HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    return { r: await r, text: out.text() };
  };
  const answered = await eventually(async () => {
    const a = await ask(8080);
    return a.r.ok ? a : null;
  });
  assert.match(answered.text, /^HTTP\/1.1 200[\s\S]*pod: web-1\nrequest: GET \/through HTTP\/1.1\n/);
  const refused = await ask(8081);
  assert.ok(!refused.r.ok);
  assert.match(refused.r.ok ? '' : refused.r.status.message, `dial tcp4 ${ip}:8081: connect: connection refused`);
  await rt.stopContainer(c.id, 0);
});

test('none of the processes the specs started is left behind', async () => {
  await rt.shutdown();
  assert.equal(processesNaming(root), []);
  rmSync(root, { recursive: true, force: true });
});

test.run();
