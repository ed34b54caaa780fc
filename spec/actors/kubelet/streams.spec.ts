/**
 * The kubelet's stream sessions over a real in-process bus with the sim runtime: exit
 * status as the remotecommand error channel's Status, credit-based flow control (a reader
 * that grants no credit stops the process, and the writer's memory stays bounded), and
 * cleanup when the asker cancels.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { InProcessBus } from '../../../bus/inprocess.ts';
import type { Envelope } from '../../../base/envelope.ts';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { silentLogger } from '../../../actors/logger.ts';
import { simRuntime } from '../../../actors/runtime/sim.ts';
import { StreamServer } from '../../../actors/kubelet/streams.ts';
import type { StreamOpen } from '../../../bus/catalogue/streams.ts';
import { eventually } from '../../helpers/wait.ts';

const pod: Pod = { metadata: { name: 'box', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } };

async function setup() {
  const bus = new InProcessBus();
  const runtime = simRuntime(new VirtualClock());
  const sb = await runtime.runPodSandbox(pod, { onExit: () => {} });
  const c = sb.ok && (await runtime.createContainer(sb.value.sandboxId, pod.spec!.containers[0]!, 0));
  if (c && c.ok) await runtime.startContainer(c.value.containerId);
  let server: StreamServer | null = null;
  const kubeletPort = bus.register('kubelet.n1', (env) => server?.handle(env));
  server = new StreamServer({ port: kubeletPort, log: silentLogger, runtimeOf: () => runtime, find: (ns, name) => (ns === 'default' && name === 'box' ? pod : undefined) });
  const got: Envelope[] = [];
  let onEnv: (env: Envelope) => void = () => {};
  const asker = bus.register('edge.asker', (env) => {
    got.push(env);
    onEnv(env);
  });
  const send = (type: string, payload: unknown) => (asker.send as (to: string, type: string, p: unknown) => void)('kubelet.n1', type, payload);
  const open = (o: Partial<StreamOpen>) =>
    (asker.request as (to: string, type: string, p: unknown) => Promise<{ ok: boolean; value?: { window: number }; status?: { message: string } }>)('kubelet.n1', 'kubelet.stream-open', {
      id: 's1', kind: 'exec', namespace: 'default', pod: 'box', container: 'app', stdin: false, stdout: true, stderr: true, tty: false, window: 64 * 1024, ...o,
    });
  const output = () => got.filter((e) => e.type === 'kubelet.stream-data').reduce((n, e) => n + (e.payload as { data: Uint8Array }).data.byteLength, 0);
  const end = () => got.find((e) => e.type === 'kubelet.stream-end')?.payload as { status: { status: string; reason?: string; details?: { causes: { reason: string; message: string }[] } } } | undefined;
  return { bus, server: server!, send, open, output, end, setOnEnv: (f: (env: Envelope) => void) => (onEnv = f) };
}

test('an exit code comes back as the NonZeroExitCode Status, after the output', async () => {
  const h = await setup();
  const r = await h.open({ command: ['sh', '-c', 'echo out; exit 3'] });
  assert.ok(r.ok);
  const end = await eventually(() => h.end(), { what: 'stream-end' });
  assert.equal(end.status.reason, 'NonZeroExitCode');
  assert.equal(end.status.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
  assert.is(h.output(), 4);
  assert.is(h.server.size, 0);
  await h.bus.close();
});

test('a reader that grants no credit stops the process: stdin taken and output sent stay bounded', async () => {
  const h = await setup();
  const r = await h.open({ command: ['cat'], stdin: true });
  assert.ok(r.ok && r.value);
  const window = r.value!.window;
  const chunk = new Uint8Array(16 * 1024).fill(120);
  const offered = 8 << 20;
  let sent = 0;
  let unacked = 0;
  const pump = () => {
    while (sent < offered && unacked < window) {
      h.send('kubelet.stream-data', { id: 's1', channel: 0, data: chunk });
      sent += chunk.length;
      unacked += chunk.length;
    }
  };
  h.setOnEnv((env) => {
    if (env.type !== 'kubelet.stream-credit') return;
    unacked -= (env.payload as { bytes: number }).bytes;
    pump();
  });
  pump();
  await new Promise((res) => setTimeout(res, 200));
  // No credit for output: at most the 64 KiB window came out, and cat stopped reading.
  assert.ok(h.output() <= 64 * 1024, `output ${h.output()}`);
  assert.ok(sent < 1 << 20, `stdin taken ${sent} of ${offered}`);
  // Granting credit as the output arrives lets everything through.
  h.setOnEnv((env) => {
    if (env.type === 'kubelet.stream-data') h.send('kubelet.stream-credit', { id: 's1', bytes: (env.payload as { data: Uint8Array }).data.byteLength });
    if (env.type === 'kubelet.stream-credit') {
      unacked -= (env.payload as { bytes: number }).bytes;
      pump();
      if (sent >= offered) h.send('kubelet.stream-close', { id: 's1', channel: 0 });
    }
  });
  h.send('kubelet.stream-credit', { id: 's1', bytes: h.output() });
  const end = await eventually(() => h.end(), { what: 'stream-end', timeoutMs: 10_000, detail: () => `sent ${sent}, output ${h.output()}` });
  assert.is(end.status.status, 'Success');
  assert.is(h.output(), offered);
  await h.bus.close();
});

test('a cancelled session is dropped and an unknown container refused before it opens', async () => {
  const h = await setup();
  assert.ok((await h.open({ command: ['sleep', 'infinity'] })).ok);
  assert.is(h.server.size, 1);
  h.send('kubelet.stream-cancel', { id: 's1' });
  await eventually(() => h.server.size === 0, { what: 'session dropped' });
  // The runtime's exec returned (the command was abandoned): nothing is sent for a cancelled session.
  await new Promise((res) => setTimeout(res, 50));
  assert.is(h.end(), undefined);
  const bad = await h.open({ id: 's2', container: 'nope', command: ['echo'] });
  assert.is(bad.status?.message, 'container nope is not valid for pod box');
  assert.is((await h.open({ id: 's3', kind: 'portforward' })).status?.message.includes('runs on the sim runtime'), true);
  await h.bus.close();
});

test.run();
