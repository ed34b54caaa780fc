/**
 * Warning headers of writes, against the real apiserver: `fieldValidation=Warn` with unknown
 * fields of every kind of name applies the write and answers it, warnings encoded as
 * Kubernetes encodes them (299, quoted, UTF-8, truncated past 4096 runes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { ActorHost } from '../../../../actors/host.ts';
import { realClock } from '../../../../base/real-clock.ts';
import { MemoryKv } from '../../../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../../../actors/apiserver/start.ts';
import { startHttpFront, type HttpFront } from '../../../../actors/apiserver/http/server.ts';
import { writeKubeconfig } from '../../../../actors/apiserver/http/kubeconfig.ts';
import { execFile } from 'node:child_process';
import { memoryLogger } from '../../../../actors/logger.ts';
import { ok } from '../../../../base/status.ts';
import { client, type Reply } from './client.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-warnings-'));
const bus = new InProcessBus();
const host = new ActorHost({ bus, clock: realClock, seed: 1 });
let core: ReturnType<typeof startControlPlaneCore>;
let front: HttpFront;
let call: ReturnType<typeof client>;
const CMS = '/api/v1/namespaces/default/configmaps';
const json = { 'content-type': 'application/json' };

test.before(async () => {
  core = startControlPlaneCore({ bus, host, backend: new MemoryKv() });
  await core.ready();
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir });
  call = client(front.url, front.caCert, 'secret');
});
test.after(async () => {
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The Warning headers as the bytes on the wire read as UTF-8 (Node's client hands them over as latin1). */
function warnings(r: Reply): string[] {
  const h = r.headers.warning;
  const all = h === undefined ? [] : Array.isArray(h) ? h : h.split(/, (?=299 )/);
  return all.map((v) => Buffer.from(v, 'latin1').toString('utf8'));
}

let n = 0;
const create = (fields: Record<string, unknown>) =>
  call('POST', `${CMS}?fieldValidation=Warn`, { body: JSON.stringify({ metadata: { name: `w${++n}` }, ...fields }), headers: json });

const CASES: [string, string, string][] = [
  ['a control character', 'a\u0001b', '299 - "unknown field \\"a\\\\x01b\\""'],
  ['a newline', 'new\nline', '299 - "unknown field \\"new\\\\nline\\""'],
  ['a tab', 'a\tb', '299 - "unknown field \\"a\\\\tb\\""'],
  ['DEL and a C1 control', 'x\u007f\u0085', '299 - "unknown field \\"x\\\\x7f\\\\u0085\\""'],
  ['latin-1 letters', 'café', '299 - "unknown field \\"café\\""'],
  ['characters past latin-1', 'préféré€😀', '299 - "unknown field \\"préféré€😀\\""'],
  ['a quote and a backslash', 'x"y\\z', '299 - "unknown field \\"x\\"y\\\\z\\""'],
];

for (const [what, field, header] of CASES) {
  test(`fieldValidation=Warn, an unknown field with ${what}: 201, the object stored, the warning sent`, async () => {
    const r = await create({ data: { k: 'v' }, [field]: 1 });
    assert.is(r.status, 201, r.text);
    assert.equal(warnings(r), [header]);
    const name = r.json().metadata.name;
    const got = await call('GET', `${CMS}/${name}`);
    assert.is(got.status, 200);
    assert.equal(got.json().data, { k: 'v' });
    assert.is(got.json()[field], undefined);
  });
}

test('warnings past 4096 runes in total are cut to 256 runes each, and later ones left out', async () => {
  const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`${String(i).padStart(2, '0')}${'x'.repeat(298)}`, i]));
  const r = await create(fields);
  assert.is(r.status, 201, r.text);
  const sent = warnings(r);
  // 13 texts of 317 runes pass 4096: those are cut to 256, then 3 more fit under the limit.
  assert.is(sent.length, 16);
  for (const [i, w] of sent.entries()) {
    assert.is(w, `299 - "unknown field \\"${String(i).padStart(2, '0')}${'x'.repeat(256 - 17)}"`);
  }
});

test('kubectl --validate=warn prints the warnings and creates the object', async () => {
  const kubeconfig = await writeKubeconfig({ dataDir, server: front.url, token: 'secret', caCert: front.caCert });
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir, KUBECTL_NO_WARNINGS: '' };
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubectl-warn' }, data: { a: 'b' }, 'a\u0001b': 1, 'préféré€': 2 };
  const run = await new Promise<{ err: Error | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('kubectl', ['--request-timeout=20s', 'create', '--validate=warn', '-f', '-'], { env, timeout: 30_000 }, (err, stdout, stderr) => resolve({ err, stdout, stderr }));
    child.stdin?.end(JSON.stringify(obj));
  });
  assert.is(run.err, null, run.stderr);
  assert.is(run.stdout, 'configmap/kubectl-warn created\n');
  assert.is(run.stderr, 'Warning: unknown field "a\\x01b"\nWarning: unknown field "préféré€"\n');
  assert.is((await call('GET', `${CMS}/kubectl-warn`)).status, 200);
});

test('an object that cannot be encoded after the write: the success code and a Success Status, the error logged', async () => {
  // A stand-in apiserver whose reply JSON cannot encode (a BigInt): the write is done, the answer fails.
  const odd = bus.register('apiserver-odd', (env) => odd.reply(env, ok({ object: { metadata: { name: 'odd' }, n: 1n }, created: true }) as never));
  const log = memoryLogger();
  const other = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir, apiserver: 'apiserver-odd', busAddress: 'edge.http-odd', logger: log });
  try {
    const r = await client(other.url, other.caCert, 'secret')('POST', CMS, { body: '{"metadata":{"name":"odd"}}', headers: json });
    assert.is(r.status, 201, r.text);
    assert.equal(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201, message: 'the write was applied; the resulting object could not be encoded' });
    assert.equal(log.records.map((l) => [l.level, l.msg]), [['error', 'write applied, its answer could not be sent']]);
  } finally {
    await other.close();
    odd.close();
  }
});

test.run();
