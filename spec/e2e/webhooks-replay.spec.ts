/**
 * Admission webhooks against a real `kubeactor up --record` child process: reinvocation
 * (`reinvocationPolicy: IfNeeded` sees what a later webhook added), a Service that does not
 * exist under failurePolicy Fail, and the recording replaying with no divergence — the
 * webhooks' answers are bus replies in the log, fed back to the replayed apiserver.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTls } from '../../actors/apiserver/http/tls/cert.ts';
import { runCli, type CliProcess } from '../helpers/cli.ts';
import { kubectlAt, type Kubectl } from '../helpers/kubectl.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-webhooks-replay-'));
const recording = join(dir, 'run.log');
const tls = generateTls();
let server: Server;
let up: CliProcess;
let k: Kubectl;
const calls: string[] = [];

type Obj = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } };
const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64');

/** /first adds a `seen-second` annotation once the `second` label is there; /second adds that label. */
function patchFor(path: string, o: Obj): unknown[] {
  if (path === '/second') return o.metadata.labels?.second ? [] : [{ op: 'add', path: '/metadata/labels/second', value: 'yes' }];
  if (!o.metadata.labels?.second) return [];
  return [{ op: 'add', path: '/metadata/annotations', value: { ...o.metadata.annotations, 'seen-second': 'true' } }];
}

const ok = async (args: string[], input?: string): Promise<string> => {
  const r = await k.run(args, input);
  assert.is(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.err}${r.out}`);
  return r.out.trim();
};

test.before(async () => {
  server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { request } = JSON.parse(Buffer.concat(chunks).toString()) as { request: { uid: string; object: Obj } };
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      calls.push(path);
      const patch = patchFor(path, request.object);
      const response = patch.length ? { uid: request.uid, allowed: true, patchType: 'JSONPatch', patch: b64(patch) } : { uid: request.uid, allowed: true };
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up = runCli(['up', '--storage', 'memory', '--port', '0', '--data-dir', dir, '--nodes', '0', '--controllers=serviceaccount', '--record', recording]);
  await up.waitFor('ready.', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1];
  assert.ok(kubeconfig, up.output());
  k = kubectlAt(kubeconfig, dir);
});

test.after(async () => {
  await up?.stop('SIGINT');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const port = () => (server.address() as AddressInfo).port;
const hook = (name: string, clientConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  clientConfig,
  rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
  objectSelector: { matchLabels: { hooked: 'yes' } },
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  ...extra,
});

test('a webhook with reinvocationPolicy IfNeeded is called again after a later webhook changed the object', async () => {
  const caBundle = Buffer.from(tls.caCert).toString('base64');
  await ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'reinvoke' },
    webhooks: [
      hook('first.spec.kubeactor.io', { url: `https://127.0.0.1:${port()}/first`, caBundle }, { reinvocationPolicy: 'IfNeeded' }),
      hook('second.spec.kubeactor.io', { url: `https://127.0.0.1:${port()}/second`, caBundle }),
    ],
  }));
  await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'twice', labels: { hooked: 'yes' } }, data: { a: '1' } }));
  const cm = JSON.parse(await ok(['get', 'configmap', 'twice', '-o', 'json'])) as Obj;
  assert.is(cm.metadata.labels?.second, 'yes');
  assert.is(cm.metadata.annotations?.['seen-second'], 'true');
  assert.equal(calls, ['/first', '/second', '/first']);
});

test('a webhook behind a Service that does not exist: failurePolicy Fail refuses with the reason', async () => {
  await ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'missing-service' },
    webhooks: [hook('missing.spec.kubeactor.io', { service: { name: 'hook', namespace: 'default', path: '/validate' } })],
  }));
  const r = await k.run(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'refused', labels: { hooked: 'yes' } } }));
  assert.is.not(r.code, 0);
  assert.match(r.err, 'Internal error occurred: failed calling webhook "missing.spec.kubeactor.io": failed to call webhook: Post "https://hook.default.svc:443/validate?timeout=10s": service "hook" not found');
});

test('the recording replays with no divergence: the webhook answers come from the log', async () => {
  await up.stop('SIGINT');
  const callsBefore = calls.length;
  const replay = runCli(['replay', '--verify', recording]);
  const code = await replay.exited();
  assert.match(replay.output(), /; 0 skipped; 0 divergence\(s\)/, replay.output());
  assert.is(code, 0, replay.output());
  assert.is(calls.length, callsBefore, 'the replay called no webhook');
});

test.run();
