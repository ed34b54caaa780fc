import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { celOptional, compileCel, fromCelValue, toCelValue } from '../../../api/crd/cel-env.ts';

const vars = [{ name: 'object', type: 'dyn' }, { name: 'params', type: 'dyn' }];
const evalJson = (expr: string, ctx: Record<string, unknown>) => {
  const c = compileCel(expr, vars);
  if (!c.ok) throw new Error(c.error);
  const r = c.program.evaluate(Object.fromEntries(Object.entries(ctx).map(([k, v]) => [k, toCelValue(v)])));
  return r.ok ? fromCelValue(r.value) : r;
};

test('compile once, evaluate against variables (the ValidatingAdmissionPolicy use)', () => {
  const pod = { metadata: { labels: { app: 'web' } }, spec: { replicas: 3, containers: [{ image: 'nginx:1' }, { image: 'redis' }] } };
  assert.is(evalJson('object.spec.replicas <= params.max', { object: pod, params: { max: 5 } }), true);
  assert.is(evalJson('object.spec.containers.all(c, c.image.contains(":"))', { object: pod, params: {} }), false);
  assert.equal(evalJson('object.spec.containers.map(c, c.image.split(":")[0])', { object: pod, params: {} }), ['nginx', 'redis']);
  assert.is(evalJson('has(object.metadata.labels.app) && object.metadata.labels.app == "web"', { object: pod, params: {} }), true);
  assert.is(evalJson('object.?metadata.?annotations.?owner.orValue("none")', { object: pod, params: {} }), 'none');
  assert.is(evalJson('object.spec.replicas * 2', { object: pod, params: {} }), 6, 'JSON integers are CEL ints');
});

test('compile errors read as cel-go\'s, with line and column', () => {
  const c = compileCel('object.spec +', vars);
  assert.is(c.ok, false);
  assert.match((c as { error: string }).error, /^ERROR: <input>:1:\d+: /);
  const u = compileCel('request.user == "x"', vars);
  assert.equal(u, { ok: false, error: "ERROR: <input>:1:1: undeclared reference to 'request' (in container '')" });
});

test('runtime errors are data, never exceptions', () => {
  const c = compileCel('object.spec.missing == 1', vars);
  assert.ok(c.ok);
  assert.equal((c as Extract<typeof c, { ok: true }>).program.evaluate({ object: toCelValue({ spec: {} }), params: null }), { ok: false, error: 'no such key: missing' });
  const i = compileCel('object.l[5] == 1', vars);
  assert.equal((i as Extract<typeof i, { ok: true }>).program.evaluate({ object: toCelValue({ l: [1, 2] }), params: null }), { ok: false, error: "index '5' out of range in list size '2'" });
});

test('typed variables catch type errors at compile; optional variables hold a value or none', () => {
  const typed = compileCel('self > "a"', [{ name: 'self', type: 'int' }]);
  assert.equal(typed, { ok: false, error: "ERROR: <input>:1:1: found no matching overload for '_>_' applied to '(int, string)'" });
  const opt = compileCel('oldSelf.hasValue() ? oldSelf.value() : 0', [{ name: 'oldSelf', type: 'optional<int>' }]);
  assert.ok(opt.ok);
  const p = (opt as Extract<typeof opt, { ok: true }>).program;
  assert.equal(fromCelValue((p.evaluate({ oldSelf: celOptional.of(7n) }) as { value: unknown }).value), 7);
  assert.equal(fromCelValue((p.evaluate({ oldSelf: celOptional.none() }) as { value: unknown }).value), 0);
  assert.is(p.references('oldSelf'), true);
  assert.is(p.references('self'), false);
});

test('Kubernetes\' IP, CIDR and URL libraries', () => {
  const ev = (e: string) => evalJson(e, { object: null, params: null });
  assert.is(ev('isIP("10.0.0.1") && !isIP("10.0.0.01") && isIP("fe80::1") && !isIP("::ffff:1.2.3.4")'), true);
  assert.is(ev('cidr("10.0.0.0/8").containsIP("10.1.2.3") && !cidr("10.0.0.0/8").containsIP(ip("11.1.2.3"))'), true);
  assert.is(ev('cidr("2001:db8::/32").containsCIDR("2001:db8:1::/48")'), true);
  assert.is(ev('string(cidr("10.1.2.3/8").masked())'), '10.0.0.0/8');
  assert.is(ev('ip("::1").isLoopback() && ip("10.0.0.1").family() == 4'), true);
  assert.is(ev('url("https://example.com:8080/a?b=c").getHostname()'), 'example.com');
  assert.equal(ev('url("https://example.com/?b=c&b=d").getQuery()'), { b: ['c', 'd'] });
  assert.is(ev('isURL("not a url")'), false);
});

test('the sets extension', () => {
  const ev = (e: string) => evalJson(e, { object: { l: ['a', 'b'] }, params: null });
  assert.is(ev('sets.contains(object.l, ["a"]) && !sets.contains(object.l, ["c"])'), true);
  assert.is(ev('sets.equivalent(object.l, ["b", "a", "a"]) && sets.intersects(object.l, ["x", "b"])'), true);
});

test.run();
