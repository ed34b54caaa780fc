import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByResource } from '../../../api/kinds.ts';

const vwc = kindByResource('admissionregistration.k8s.io', 'validatingwebhookconfigurations')!;
const mwc = kindByResource('admissionregistration.k8s.io', 'mutatingwebhookconfigurations')!;
const vap = kindByResource('admissionregistration.k8s.io', 'validatingadmissionpolicies')!;
const vapb = kindByResource('admissionregistration.k8s.io', 'validatingadmissionpolicybindings')!;

const hook = (over: Record<string, unknown> = {}) => ({
  name: 'check.example.com',
  clientConfig: { url: 'https://127.0.0.1:9443/check' },
  rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  ...over,
});
const config = (...webhooks: Record<string, unknown>[]) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'c' }, webhooks });
const messages = (k: typeof vwc, o: unknown) => k.validate(k.defaults(o as never)).map((c) => `${c.field}: ${c.message}`);

test('webhook configurations: upstream defaults', () => {
  const d = mwc.defaults({ ...config(hook({ clientConfig: { service: { name: 's', namespace: 'n' } } })), kind: 'MutatingWebhookConfiguration' } as never) as unknown as { webhooks: Record<string, unknown>[] };
  const w = d.webhooks[0]!;
  assert.is(w.failurePolicy, 'Fail');
  assert.is(w.matchPolicy, 'Equivalent');
  assert.is(w.timeoutSeconds, 10);
  assert.is(w.reinvocationPolicy, 'Never');
  assert.equal(w.namespaceSelector, {});
  assert.equal((w.clientConfig as { service: { port: number } }).service.port, 443);
  assert.is((w.rules as { scope: string }[])[0]!.scope, '*');
});

test('webhook configurations: upstream messages for what is wrong', () => {
  assert.equal(messages(vwc, config(hook())), []);
  assert.equal(messages(vwc, config(hook({ name: 'short' }))), ['webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by dots']);
  assert.equal(messages(vwc, config(hook(), hook())), ['webhooks[1].name: Duplicate value: "check.example.com"']);
  assert.equal(messages(vwc, config(hook({ sideEffects: undefined }))), ['webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun']);
  assert.equal(messages(vwc, config(hook({ sideEffects: 'Some' }))), ['webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"']);
  assert.equal(messages(vwc, config(hook({ timeoutSeconds: 31 }))), ['webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds']);
  assert.equal(messages(vwc, config(hook({ clientConfig: {} }))), ['webhooks[0].clientConfig: Required value: exactly one of url or service is required']);
  assert.equal(messages(vwc, config(hook({ clientConfig: { url: 'http://x.example.com/' } }))), ['webhooks[0].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme']);
  assert.equal(messages(vwc, config(hook({ admissionReviewVersions: ['v2'] }))), ['webhooks[0].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1']);
  assert.equal(messages(vwc, config(hook({ failurePolicy: 'Maybe' }))), ['webhooks[0].failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"']);
  assert.equal(messages(vwc, config(hook({ rules: [{ operations: ['PATCH'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }))), [
    'webhooks[0].rules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
  ]);
});

test('policies and bindings: required parts and action rules', () => {
  const policy = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec: {} };
  assert.equal(messages(vap, policy), ['spec.matchConstraints: Required value', 'spec.validations: Required value: validations or auditAnnotations must contain at least one item']);
  const binding = (actions: string[]) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: actions } });
  assert.equal(messages(vapb, binding(['Deny'])), []);
  assert.equal(messages(vapb, binding([])), ['spec.validationActions: Required value: at least one validation action is required']);
  assert.equal(messages(vapb, binding(['Block'])), ['spec.validationActions[0]: Unsupported value: "Block": supported values: "Audit", "Deny", "Warn"']);
  assert.match(messages(vapb, binding(['Deny', 'Warn'])).join('\n'), 'must not contain both Deny and Warn');
});

test.run();
