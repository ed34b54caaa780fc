import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { expand, mappingFuncFor } from '../../../api/expansion.ts';
import { containerEnv, type EnvInput } from '../../../machines/kubelet/env/container.ts';
import { serviceEnvMap } from '../../../machines/kubelet/env/services.ts';
import { fail, notFound, ok, type Result } from '../../../base/status.ts';

const vars = mappingFuncFor(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['VAR_EMPTY', '']]));

test('expansion: $(VAR), $$ escapes, unknown and unterminated references stay as written (Kubernetes expand_test cases)', () => {
  const cases: [string, string][] = [
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_B)', 'A-B'],
    ['$(VAR_EMPTY)x', 'x'],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$$(VAR_A)', '$(VAR_A)'],
    ['$$$(VAR_A)', '$A'],
    ['$$$$(VAR_A)', '$$(VAR_A)'],
    ['$(VAR_A', '$(VAR_A'],
    ['$VAR_A', '$VAR_A'],
    ['$', '$'],
    ['$()', '$()'],
    ['foo$', 'foo$'],
    ['$(VAR_A)$(VAR_A', 'A$(VAR_A'],
  ];
  for (const [input, want] of cases) assert.is(expand(input, vars), want, input);
});

const svc = (ns: string, name: string, clusterIP: string, ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never): Service =>
  ({ metadata: { namespace: ns, name }, spec: { clusterIP, ports } }) as Service;

const SERVICES = [
  svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('web', 'my-web', '10.96.0.20', [{ port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]),
  svc('web', 'headless', 'None', [{ port: 80 }]),
  svc('other', 'db', '10.96.0.30', [{ port: 5432 }]),
];

test('service links: the namespace\'s services with a cluster IP, plus kubernetes from default; enableServiceLinks=false keeps only kubernetes', () => {
  const m = serviceEnvMap(SERVICES, 'web', true);
  assert.is(m.get('MY_WEB_SERVICE_HOST'), '10.96.0.20');
  assert.is(m.get('MY_WEB_SERVICE_PORT'), '80');
  assert.is(m.get('MY_WEB_SERVICE_PORT_DNS'), '53');
  assert.is(m.get('MY_WEB_PORT'), 'tcp://10.96.0.20:80');
  assert.is(m.get('MY_WEB_PORT_80_TCP'), 'tcp://10.96.0.20:80');
  assert.is(m.get('MY_WEB_PORT_80_TCP_PROTO'), 'tcp');
  assert.is(m.get('MY_WEB_PORT_80_TCP_PORT'), '80');
  assert.is(m.get('MY_WEB_PORT_80_TCP_ADDR'), '10.96.0.20');
  assert.is(m.get('MY_WEB_PORT_53_UDP'), 'udp://10.96.0.20:53');
  assert.is(m.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.is(m.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
  assert.not.ok([...m.keys()].some((k) => k.startsWith('HEADLESS') || k.startsWith('DB_')));
  assert.equal([...serviceEnvMap(SERVICES, 'web', false).keys()].every((k) => k.startsWith('KUBERNETES_')), true);
});

const POD: Pod = {
  metadata: { name: 'p', namespace: 'web', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'hi' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'default', containers: [] },
};

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function input(c: Container, extra: Partial<EnvInput> = {}): EnvInput {
  const cms = new Map<string, Result<ConfigMap>>([['cfg', ok({ data: { mode: 'prod', 'bad-key!': 'x', level: '3' } })]]);
  const secs = new Map<string, Result<Secret>>([['creds', ok({ data: { password: b64('s3cret') } })]]);
  return {
    pod: POD,
    container: c,
    addresses: { hostIPs: ['127.0.1.1'], podIPs: ['10.244.0.5'] },
    allocatable: { cpu: '4', memory: '8Gi' },
    serviceEnv: serviceEnvMap(SERVICES, 'web', true),
    configMaps: cms,
    secrets: secs,
    ...extra,
  };
}

test('env: envFrom then env (env wins), valueFrom sources, $(VAR) expansion of env, command and args', () => {
  const r = containerEnv(input({
    name: 'c',
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { configMapRef: { name: 'cfg' } }],
    env: [
      { name: 'mode', value: 'override-$(level)' },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'LATER', value: '$(NOT_YET) $(MY_WEB_SERVICE_HOST) $$(NAME)' },
      { name: 'NOT_YET', value: 'now' },
    ],
    resources: { requests: { cpu: '250m' }, limits: { cpu: '1500m' } },
    command: ['sh', '-c', 'echo $(NAME) $$(NAME) $(PASS)'],
    args: ['$(NOT_YET)', '$(MISSING)'],
  }));
  assert.ok(r.ok);
  if (!r.ok) return;
  const env = new Map(r.value.env.map((e) => [e.name, e.value]));
  assert.is(env.get('CFG_mode'), 'prod');
  assert.is(env.get('mode'), 'override-3');
  assert.is(env.get('PASS'), 's3cret');
  assert.is(env.get('NAME'), 'p');
  assert.is(env.get('APP'), 'web');
  assert.is(env.get('LABELS'), 'app="web"\ntier="front"');
  assert.is(env.get('IP'), '10.244.0.5');
  assert.is(env.get('HOST'), '127.0.1.1');
  assert.is(env.get('NODE'), 'node-1');
  assert.is(env.get('MEM_MI'), '8192', 'an unset limit is the node allocatable');
  assert.is(env.get('CPU_REQ'), '250');
  assert.is(env.get('CPU_LIM'), '2', 'cpu rounds up to the divisor');
  assert.is(env.get('LATER'), '$(NOT_YET) 10.96.0.20 $(NAME)', 'only variables declared before, and service variables, expand');
  assert.is(env.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.equal(r.value.command, ['sh', '-c', 'echo p $(NAME) s3cret']);
  assert.equal(r.value.args, ['now', '$(MISSING)']);
  assert.equal(r.events.map((e) => e.message), [
    'Keys [CFG_bad-key!] from the EnvFrom configMap web/cfg were skipped since they are considered invalid environment variable names.',
    'Keys [bad-key!] from the EnvFrom configMap web/cfg were skipped since they are considered invalid environment variable names.',
  ]);
});

test('env: a missing required ConfigMap, Secret or key is kubelet\'s error; optional ones are skipped', () => {
  const missing = (c: Container) => containerEnv(input(c));
  assert.equal(missing({ name: 'c', envFrom: [{ configMapRef: { name: 'nope' } }] }), { ok: false, message: 'configmap "nope" not found', events: [] });
  assert.equal(missing({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] }), { ok: false, message: 'secret "gone" not found', events: [] });
  assert.equal(missing({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey' } } }] }), { ok: false, message: "couldn't find key nokey in ConfigMap web/cfg", events: [] });
  assert.equal(missing({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey' } } }] }), { ok: false, message: "couldn't find key nokey in Secret web/creds", events: [] });
  const opt = containerEnv(input({
    name: 'c',
    envFrom: [{ secretRef: { name: 'nope', optional: true } }],
    env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } }, { name: 'Y', value: 'y' }],
  }, { serviceEnv: new Map() }));
  assert.equal(opt.ok && opt.value.env, [{ name: 'Y', value: 'y' }]);
  const denied = containerEnv(input({ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] }, { configMaps: new Map([['cfg', fail(notFound('configmaps', 'cfg'))]]) }));
  assert.equal(denied, { ok: false, message: 'configmap "cfg" not found', events: [] });
});

test.run();
