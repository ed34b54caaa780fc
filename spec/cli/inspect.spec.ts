/**
 * `kubeactor up --inspect=GLOB` serves the Stately inspection protocol: a WebSocket client
 * gets `@xstate.actor` (with the machine definition) and `@xstate.snapshot` frames for the
 * selected actors only — a late client first gets the current actors and snapshots.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { runCli } from '../helpers/cli.ts';

interface Frame { type: string; sessionId: string; name?: string; definition?: string; snapshot?: { value?: unknown; context?: unknown } }

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-inspect-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function collect(url: string, ms: number): Promise<Frame[]> {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      setTimeout(() => {
        ws.close();
        resolve(frames);
      }, ms),
    );
  });
}

test('up --inspect: frames for the selected actors, none for the others', async () => {
  const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'sim', '--inspect=scheduler,controller.deployment', '--inspect-port', '0']);
  try {
    await up.waitFor('ready. Ctrl-C stops.', 60_000);
    const ws = /fed from (ws:\/\/127\.0\.0\.1:\d+)/.exec(up.output())?.[1];
    assert.ok(ws, up.output());
    assert.match(up.output(), /kubeactor: inspecting scheduler,controller\.deployment/);
    const frames = await collect(ws!, 1500);
    const actors = frames.filter((f) => f.type === '@xstate.actor');
    assert.equal(actors.map((f) => f.name).sort(), ['controller.deployment', 'scheduler']);
    for (const a of actors) assert.match(a.definition ?? '', /"states"/);
    const sessions = new Set(actors.map((f) => f.sessionId));
    assert.ok(frames.every((f) => sessions.has(f.sessionId)), 'no frame from an actor that was not selected');
    const snapshots = frames.filter((f) => f.type === '@xstate.snapshot');
    assert.equal(new Set(snapshots.map((f) => f.sessionId)), sessions, 'a current snapshot of each selected actor');
  } finally {
    assert.is(await up.stop('SIGINT'), 0);
  }
});

test.run();
