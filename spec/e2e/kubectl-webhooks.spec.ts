/**
 * Issue 18, end to end: admission webhooks and ValidatingAdmissionPolicy as a user sees them
 * through the real kubectl. The spec serves a validating and a mutating webhook over HTTPS on
 * loopback (its own CA, given to the configurations as caBundle): the mutation shows in the
 * stored object, a denial and a warning are printed by kubectl with upstream's text, and once
 * the server is stopped `failurePolicy: Ignore` lets writes through while `Fail` refuses them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:https';
import { closeServer, listenLoopback, loopbackService, webhookServerOptions } from './https-server.ts';
import { generateTls } from '../../actors/apiserver/http/tls/cert.ts';
import { startCluster, type Cluster } from './cluster.ts';

let cluster: Cluster;
let server: Server;
let port = 0;
const tls = generateTls();
const caBundle = Buffer.from(tls.caCert).toString('base64');

/** What the spec's webhook server answers: a review for `request`, with `response` fields. */
function review(request: { uid: string }, response: Record<string, unknown>) {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: request.uid, ...response } };
}

type Req = { uid: string; object: { metadata?: { labels?: Record<string, string> }; data?: Record<string, string> } };

function answer(path: string, req: Req): unknown {
  if (path === '/mutate') {
    const labels = req.object.metadata?.labels;
    const patch = labels ? [{ op: 'add', path: '/metadata/labels/mutated-by', value: 'spec-webhook' }] : [{ op: 'add', path: '/metadata/labels', value: { 'mutated-by': 'spec-webhook' } }];
    return review(req, { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') });
  }
  if (req.object.data?.forbidden !== undefined) return review(req, { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'the key "forbidden" is not allowed' } });
  return review(req, { allowed: true, warnings: ['checked by the spec webhook'] });
}

async function startServer(): Promise<void> {
  // The URL webhooks dial 127.0.0.1 (the front's kind of certificate); the Service one is checked for hook.hooked.svc (SNI picks it).
  server = createServer(webhookServerOptions(tls, 'hook.hooked.svc'), (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      if (path === '/slow') return; // never answers: the caller's timeout ends the call
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: Req };
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(answer(path, body.request)));
    });
  });
  port = await listenLoopback(server, port);
}

const stopServer = () => closeServer(server);

const ok = async (args: string[], input?: string): Promise<string> => {
  const r = await cluster.kubectl(args, input);
  assert.is(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout.trim();
};

const configMap = (name: string, data: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'hooked', labels: { webhooks: 'on' } }, data });

const webhook = (name: string, path: string, failurePolicy: string) => ({
  name,
  clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle },
  rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hooked' } },
  objectSelector: { matchLabels: { webhooks: 'on' } },
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  failurePolicy,
});

const skipAnnotated = [{ name: 'not-skipped', expression: "!(has(object.metadata.annotations) && 'skip' in object.metadata.annotations)" }];
const validating = (failurePolicy: string) =>
  JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'spec-validating' }, webhooks: [{ ...webhook('validate.spec.kubeactor.io', '/validate', failurePolicy), matchConditions: skipAnnotated }] });
const mutating = () => JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'spec-mutating' }, webhooks: [webhook('mutate.spec.kubeactor.io', '/mutate', 'Ignore')] });

test.before(async () => {
  cluster = await startCluster();
  await startServer();
  await ok(['create', 'namespace', 'hooked']);
});

test.after(async () => {
  if (server.listening) await stopServer();
  await cluster?.stop();
});

test('the webhook configurations are served, printed with their WEBHOOKS count', async () => {
  await ok(['apply', '-f', '-'], mutating());
  await ok(['apply', '-f', '-'], validating('Fail'));
  const out = await ok(['get', 'validatingwebhookconfigurations,mutatingwebhookconfigurations']);
  assert.match(out, /NAME\s+WEBHOOKS\s+AGE/);
  assert.match(out, /validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/spec-validating\s+1\s/);
  assert.match(out, /mutatingwebhookconfiguration\.admissionregistration\.k8s\.io\/spec-mutating\s+1\s/);
  const stored = JSON.parse(await ok(['get', 'validatingwebhookconfiguration', 'spec-validating', '-o', 'json'])) as { webhooks: { timeoutSeconds: number; matchPolicy: string }[] };
  assert.is(stored.webhooks[0]!.timeoutSeconds, 10);
  assert.is(stored.webhooks[0]!.matchPolicy, 'Equivalent');
  // The rules keep the fields of Go's inlined Rule, in the schema kubectl reads too.
  const explained = await ok(['explain', 'validatingwebhookconfigurations.webhooks.rules']);
  assert.match(explained, /resources\s+<\[\]string>/);
  assert.match(explained, /scope\s+<string>/);
});

test('a mutating webhook changes the stored object, a validating webhook warns', async () => {
  const r = await cluster.kubectl(['apply', '-f', '-'], configMap('allowed', { a: '1' }));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, 'Warning: checked by the spec webhook');
  const got = JSON.parse(await ok(['get', 'configmap', 'allowed', '-n', 'hooked', '-o', 'json'])) as { metadata: { labels: Record<string, string> } };
  assert.is(got.metadata.labels['mutated-by'], 'spec-webhook', JSON.stringify(got.metadata));
});

test('a validating webhook denial is printed with upstream words and code', async () => {
  const r = await cluster.kubectl(['apply', '-f', '-'], configMap('refused', { forbidden: 'x' }));
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'admission webhook "validate.spec.kubeactor.io" denied the request: the key "forbidden" is not allowed');
  assert.match(r.stderr, 'Error from server (Forbidden)');
  const get = await cluster.kubectl(['get', 'configmap', 'refused', '-n', 'hooked']);
  assert.match(get.stderr, 'NotFound');
});

test('a webhook behind a Service: called at its endpoint, its certificate checked for <name>.<namespace>.svc', async () => {
  await ok(['apply', '-f', '-'], loopbackService('hooked', 'hook', port));
  const viaService = { ...webhook('service.spec.kubeactor.io', '/validate', 'Fail'), clientConfig: { service: { name: 'hook', namespace: 'hooked', path: '/validate' }, caBundle } };
  await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'spec-service' }, webhooks: [{ ...viaService, objectSelector: { matchLabels: { via: 'service' } } }] }));
  const cm = JSON.parse(configMap('via-service', { forbidden: 'x' })) as { metadata: { labels: Record<string, string> } };
  cm.metadata.labels.via = 'service';
  const r = await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(cm));
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'admission webhook "service.spec.kubeactor.io" denied the request: the key "forbidden" is not allowed');
  await ok(['delete', 'validatingwebhookconfiguration', 'spec-service']);
});

test('a webhook that does not answer within timeoutSeconds fails the call: Fail refuses with the deadline', async () => {
  const slow = { ...webhook('slow.spec.kubeactor.io', '/slow', 'Fail'), timeoutSeconds: 1, objectSelector: { matchLabels: { speed: 'slow' } } };
  await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'spec-slow' }, webhooks: [slow] }));
  const cm = JSON.parse(configMap('slow', { a: '1' })) as { metadata: { labels: Record<string, string> } };
  cm.metadata.labels.speed = 'slow';
  const r = await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(cm));
  assert.is.not(r.code, 0);
  assert.match(r.stderr, `failed calling webhook "slow.spec.kubeactor.io": failed to call webhook: Post "https://127.0.0.1:${port}/slow?timeout=1s": context deadline exceeded`);
  await ok(['delete', 'validatingwebhookconfiguration', 'spec-slow']);
});

test('matchConditions: a webhook whose condition is false is not called', async () => {
  const cm = JSON.parse(configMap('skipped', { forbidden: 'x' })) as { metadata: Record<string, unknown> };
  cm.metadata.annotations = { skip: 'yes' };
  const r = await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(cm));
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, 'checked by the spec webhook');
});

test('with the webhook server down, failurePolicy Fail refuses and Ignore lets the write through', async () => {
  await stopServer();
  const refused = await cluster.kubectl(['apply', '-f', '-'], configMap('while-down', { a: '1' }));
  assert.is.not(refused.code, 0);
  assert.match(refused.stderr, `Internal error occurred: failed calling webhook "validate.spec.kubeactor.io": failed to call webhook: Post "https://127.0.0.1:${port}/validate?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  await ok(['apply', '-f', '-'], validating('Ignore'));
  await ok(['apply', '-f', '-'], configMap('while-down', { a: '1' }));
  // The mutating webhook (Ignore) was skipped too: no label of its.
  assert.is(await ok(['get', 'configmap', 'while-down', '-n', 'hooked', '-o', 'jsonpath={.metadata.labels.mutated-by}']), '');
});

const policy = (name: string, validation: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: { matchConstraints: { resourceRules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] }, validations: [validation] },
  });
const binding = (name: string, policyName: string, actions: string[]) =>
  JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec: { policyName, validationActions: actions, matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hooked' } } } },
  });

test('a ValidatingAdmissionPolicy refuses an object with its message, and warns through a Warn binding', async () => {
  await ok(['apply', '-f', '-'], policy('replica-limit', { expression: 'object.spec.replicas <= 5', message: 'replicas must be no greater than 5' }));
  await ok(['apply', '-f', '-'], binding('replica-limit-binding', 'replica-limit', ['Deny']));
  await ok(['apply', '-f', '-'], policy('image-registry', { expression: "object.spec.template.spec.containers.all(c, c.image.startsWith('registry.local/'))", messageExpression: "'images must come from registry.local, not ' + object.spec.template.spec.containers[0].image" }));
  await ok(['apply', '-f', '-'], binding('image-registry-warn', 'image-registry', ['Warn']));
  const listed = await ok(['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings']);
  assert.match(listed, /validatingadmissionpolicy\.admissionregistration\.k8s\.io\/replica-limit\s+1\s+<unset>\s/);
  assert.match(listed, /validatingadmissionpolicybinding\.admissionregistration\.k8s\.io\/replica-limit-binding\s+replica-limit\s+<unset>\s/);

  const refused = await cluster.kubectl(['create', 'deployment', 'too-many', '--image=busybox', '--replicas=7', '-n', 'hooked']);
  assert.is.not(refused.code, 0);
  assert.match(refused.stderr, `error: failed to create deployment: deployments.apps "too-many" is forbidden: ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-binding' denied request: replicas must be no greater than 5`);
  assert.match((await cluster.kubectl(['get', 'deployment', 'too-many', '-n', 'hooked'])).stderr, 'NotFound');

  const warned = await cluster.kubectl(['create', 'deployment', 'few', '--image=busybox', '--replicas=2', '-n', 'hooked']);
  assert.is(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, "Warning: Validation failed for ValidatingAdmissionPolicy 'image-registry' with binding 'image-registry-warn': images must come from registry.local, not busybox");
  // Outside the bound namespace the policy does not apply.
  await ok(['create', 'deployment', 'elsewhere', '--image=busybox', '--replicas=7', '-n', 'default']);
});

test.run();
