/**
 * `up` and `node` refuse a nats-server that lets clients without credentials reach the kv
 * actor, unless --insecure-bus (then they start and warn); on a server configured by
 * `kubeactor nats-config`, they start without a warning, an anonymous client is turned away
 * and a client with a node's credentials cannot send `kv.get` as the apiserver.
 * Real nats-servers on loopback and the real CLI; every process is stopped by PID.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, errors } from '@nats-io/transport-node';
import { createCodec } from '../../bus/codec.ts';
import type { Envelope } from '../../base/envelope.ts';
import { runCli } from '../helpers/cli.ts';
import { startNatsServer } from '../helpers/nats-server.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubeactor-insecure-bus-'));
  dirs.push(d);
  return d;
};
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const gone = (pid: number | undefined) => {
  assert.ok(pid);
  assert.throws(() => process.kill(pid!, 0), `process ${pid} is gone`);
};

test('a nats-server without authorization: up and node refuse, naming nats-config and --insecure-bus', async () => {
  const nats = await startNatsServer();
  try {
    const up = runCli(['up', '--storage', 'memory', '--data-dir', tempDir(), '--port', '0', '--bus', nats.url]);
    assert.is(await up.exited(), 1, up.output());
    assert.match(up.output(), `kubeactor up: NATS at ${nats.url} lets clients without credentials publish to the kv actor as the control plane`);
    assert.match(up.output(), 'Run nats-server with the users and permissions that `kubeactor nats-config` prints, or pass --insecure-bus to start anyway.');
    assert.not.match(up.output(), 'ready.');
    gone(up.child.pid);
    const node = runCli(['node', '--bus', nats.url, '--name', 'a', '--default-runtime', 'sim']);
    assert.is(await node.exited(), 1, node.output());
    assert.match(node.output(), /kubeactor node: NATS at .* lets clients without credentials .* pass --insecure-bus to start anyway/);
    gone(node.child.pid);
  } finally {
    await nats.stop();
  }
});

test('with --insecure-bus, up starts on that server and warns', async () => {
  const nats = await startNatsServer();
  try {
    const up = runCli(['up', '--storage', 'memory', '--data-dir', tempDir(), '--port', '0', '--bus', nats.url, '--insecure-bus']);
    await up.waitFor('ready.');
    assert.match(up.output(), `warning: --insecure-bus: NATS at ${nats.url} lets clients without credentials publish to the kv actor`);
    assert.is(await up.stop(), 0);
    gone(up.child.pid);
  } finally {
    await nats.stop();
  }
});

test('on a server from `kubeactor nats-config`: no warning; no anonymous client; a node cannot send kv.get as the apiserver', async () => {
  const cfg = runCli(['nats-config', '--user', 'control-plane:cp-pass', '--user', 'node-n1:n1-pass']);
  assert.is(await cfg.exited(), 0);
  const nats = await startNatsServer({ config: cfg.output() });
  const up = runCli(['up', '--storage', 'memory', '--data-dir', tempDir(), '--port', '0', '--bus', nats.url, '--nats-pass', 'cp-pass']);
  try {
    await up.waitFor('ready.');
    assert.not.match(up.output(), 'warning');

    const anonymous = await connect({ servers: nats.url, reconnect: false, maxReconnectAttempts: 0 }).then(
      () => 'connected',
      (err: Error) => err.message,
    );
    assert.match(anonymous, /Authorization Violation/i);

    const nc = await connect({ servers: nats.url, user: 'node-n1', pass: 'n1-pass' });
    const violations: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'error' && s.error instanceof errors.PermissionViolationError) violations.push(`${s.error.operation} ${s.error.subject}`);
    })();
    const codec = createCodec();
    const get: Envelope = { seq: 1, from: 'apiserver', to: 'kv', type: 'kv.get', payload: { key: '/registry/secrets/kube-system/x' }, at: 0, corr: 'c1' } as Envelope;
    const inbox = 'kubeactor.i.node-n1.probe.1.apiserver';
    const replies: unknown[] = [];
    nc.subscribe(inbox, { callback: (_e, m) => void replies.push(m) });
    nc.publish('kubeactor.a.node-n1.kv', codec.encode(get), { reply: inbox });
    nc.publish('kubeactor.a.control-plane.kv', codec.encode(get), { reply: inbox });
    await nc.flush();
    await new Promise((r) => setImmediate(r));
    assert.equal(violations.sort(), ['publish kubeactor.a.control-plane.kv', 'publish kubeactor.a.node-n1.kv']);
    assert.equal(replies, [], 'the kv actor never answered');
    await nc.close();
  } finally {
    await up.stop();
    await nats.stop();
  }
  gone(up.child.pid);
  gone(nats.pid);
});

test.run();
