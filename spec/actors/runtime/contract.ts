import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { PassThrough, Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ContainerExit, Runtime } from '../../../actors/runtime/runtime.ts';

/** What an implementation gives the contract suite. */
export interface RuntimeFixture {
  runtime: Runtime;
  /** Lets `ms` of the runtime's time pass (virtual or real). */
  pass(ms: number): Promise<void>;
  /** A container that runs until stopped and exits on SIGTERM. */
  longRunning(name: string): Container;
  /** A container that ignores SIGTERM. */
  stubborn(name: string): Container;
  /** The log line `stubborn` writes once it ignores SIGTERM (a process sets that after exec); absent: from its start. */
  stubbornReady?: string;
  /** Annotations the pod needs for the above. */
  annotations?: Record<string, string>;
}

/**
 * The contract every Runtime implementation passes (see actors/runtime/runtime.ts).
 * Run from each implementation's spec: `runtimeContract('sim', () => fixture).run()`.
 */
export function runtimeContract(name: string, make: () => RuntimeFixture) {
  const s = suite(`runtime contract: ${name}`);
  const podOf = (f: RuntimeFixture, containers: Container[]): Pod => ({
    metadata: { name: 'p', namespace: 'default', uid: 'uid-contract', annotations: f.annotations ?? {} },
    spec: { containers },
  });
  async function up(f: RuntimeFixture, spec: Container) {
    const exits: ContainerExit[] = [];
    const sb = await f.runtime.runPodSandbox(podOf(f, [spec]), { onExit: (e) => exits.push(e) });
    assert.ok(sb.ok);
    const sandboxId = sb.ok ? sb.value.sandboxId : '';
    const cr = await f.runtime.createContainer(sandboxId, spec, 0);
    assert.ok(cr.ok);
    const id = cr.ok ? cr.value.containerId : '';
    const st = await f.runtime.startContainer(id);
    assert.ok(st.ok);
    return { sandboxId, id, exits };
  }

  s('create, start, status running', async () => {
    const f = make();
    const { id } = await up(f, f.longRunning('web'));
    const st = await f.runtime.containerStatus(id);
    assert.ok(st.ok && st.value.state === 'running' && st.value.name === 'web' && st.value.startedAt !== undefined);
  });

  s('stop: the exit is reported once, before stopContainer resolves', async () => {
    const f = make();
    const { id, exits } = await up(f, f.longRunning('web'));
    const r = await f.runtime.stopContainer(id, 5);
    assert.ok(r.ok);
    assert.is(exits.length, 1);
    assert.is(exits[0]!.containerId, id);
    assert.is(exits[0]!.exitCode, r.ok ? r.value.exitCode : NaN);
    const again = await f.runtime.stopContainer(id, 5);
    assert.ok(again.ok);
    assert.is(exits.length, 1);
    const st = await f.runtime.containerStatus(id);
    assert.ok(st.ok && st.value.state === 'exited');
  });

  s('a container ignoring SIGTERM is killed (137) once the grace period ends', async () => {
    const f = make();
    const { id, exits } = await up(f, f.stubborn('hard'));
    for (let i = 0; f.stubbornReady !== undefined; i++) {
      const lines = await f.runtime.logs({ podUid: 'uid-contract', container: 'hard' });
      if (lines.ok && lines.value.some((l) => l.endsWith(f.stubbornReady!))) break;
      assert.ok(i < 200, 'the stubborn container never said it was ready');
      await f.pass(50);
    }
    const done = f.runtime.stopContainer(id, 1);
    await f.pass(500);
    assert.is(exits.length, 0);
    await f.pass(600);
    const r = await done;
    assert.ok(r.ok && r.value.exitCode === 137);
    assert.is(exits[0]!.signal, 'SIGKILL');
  });

  s('stopPodSandbox kills what runs; remove is idempotent', async () => {
    const f = make();
    const { sandboxId, id, exits } = await up(f, f.longRunning('web'));
    assert.ok((await f.runtime.stopPodSandbox(sandboxId)).ok);
    assert.is(exits.length, 1);
    assert.ok((await f.runtime.removeContainer(id)).ok);
    assert.ok((await f.runtime.removePodSandbox(sandboxId)).ok);
    assert.ok((await f.runtime.removePodSandbox(sandboxId)).ok);
  });

  s('errors are data: unknown ids resolve NotFound', async () => {
    const f = make();
    for (const r of [
      await f.runtime.startContainer('nope'), await f.runtime.stopContainer('nope', 1), await f.runtime.containerStatus('nope'),
      await f.runtime.execProbe('nope', {}, 'liveness'), await f.runtime.stopPodSandbox('nope'),
      await f.runtime.createContainer('nope', f.longRunning('x'), 0), await f.runtime.logs({ podUid: 'nope', container: 'x' }),
    ]) {
      assert.not.ok(r.ok);
      if (!r.ok) assert.is(r.status.reason, 'NotFound');
    }
  });

  s('a restarted container gets a new id', async () => {
    const f = make();
    const { sandboxId, id } = await up(f, f.longRunning('web'));
    await f.runtime.stopContainer(id, 0);
    const again = await f.runtime.createContainer(sandboxId, f.longRunning('web'), 1);
    assert.ok(again.ok && again.value.containerId !== id);
  });

  s('probes on a running container answer success or failure, never throw', async () => {
    const f = make();
    const { id } = await up(f, f.longRunning('web'));
    const r = await f.runtime.execProbe(id, { exec: { command: ['true'] } }, 'liveness');
    assert.ok(r.ok && (r.value.result === 'success' || r.value.result === 'failure'));
  });

  s('pullImage then imageStatus reports the image', async () => {
    const f = make();
    const spec = f.longRunning('web');
    const pulled = await f.runtime.pullImage(spec.image ?? '', podOf(f, [spec]));
    assert.ok(pulled.ok);
    const have = await f.runtime.imageStatus(spec.image ?? '');
    assert.ok(have.ok && have.value !== null && pulled.ok && have.value.imageRef === pulled.value.imageRef);
  });

  s('exec runs a command in the container with its stdio and exit code; stdin ends when the client closes it', async () => {
    const f = make();
    await up(f, f.longRunning('web'));
    const target = { podUid: 'uid-contract', container: 'web' };
    const out = collect();
    const r = await f.runtime.exec(target, ['sh', '-c', 'echo out; exit 3'], { stdout: out.stream, tty: false, onResize: () => {} });
    assert.ok(r.ok && r.value.exitCode === 3);
    assert.is(out.text(), 'out\n');
    const echoed = collect();
    const stdin = new PassThrough();
    const cat = f.runtime.exec(target, ['cat'], { stdin, stdout: echoed.stream, tty: false, onResize: () => {} });
    stdin.end('through stdin\n');
    const done = await cat;
    assert.ok(done.ok && done.value.exitCode === 0);
    assert.is(echoed.text(), 'through stdin\n');
  });

  s('exec into a container that is not running fails, never throws', async () => {
    const f = make();
    const { id } = await up(f, f.longRunning('web'));
    await f.runtime.stopContainer(id, 0);
    const r = await f.runtime.exec({ podUid: 'uid-contract', container: 'web' }, ['echo'], { stdout: collect().stream, tty: false, onResize: () => {} });
    assert.not.ok(r.ok);
  });

  return s;
}

/** A Writable that keeps what it is given. */
function collect(): { stream: Writable; text(): string } {
  const parts: Buffer[] = [];
  return { stream: new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }), text: () => Buffer.concat(parts).toString() };
}
