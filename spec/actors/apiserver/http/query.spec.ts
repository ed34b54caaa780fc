/**
 * Numeric query parameters as Kubernetes decodes them (strconv.ParseInt into ListOptions,
 * DeleteOptions, PodLogOptions): a bad value is a 400 Status before anything is asked of the
 * apiserver; and a watch lasts what timeoutSeconds says (or --min-request-timeout × 1..2),
 * in virtual time, however large the value.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { VirtualClock } from '../../../../actors/clock/virtual.ts';
import { startHttpFront, type HttpFront } from '../../../../actors/apiserver/http/server.ts';
import { startFakeApiserver, type FakeApiserver } from './fake-apiserver.ts';
import { client, stream } from './client.ts';
import { eventually } from '../../../helpers/wait.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-query-'));
const bus = new InProcessBus();
const clock = new VirtualClock();
let fake: FakeApiserver;
let front: HttpFront;
let call: ReturnType<typeof client>;
const CMS = '/api/v1/namespaces/default/configmaps';
const json = { 'content-type': 'application/json' };
const watch = (query: string) => stream(front.url, front.caCert, 'secret', `${CMS}?watch=true&resourceVersion=100${query}`);
/** A real moment: long enough for a timer that overflowed (and so fires after 1 ms) to have fired. */
const moment = () => new Promise((r) => setTimeout(r, 50));

test.before(async () => {
  fake = startFakeApiserver(bus);
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir, clock });
  call = client(front.url, front.caCert, 'secret');
  await call('POST', CMS, { body: '{"metadata":{"name":"keep"}}', headers: json });
  await call('POST', '/api/v1/namespaces/default/pods', { body: '{"metadata":{"name":"p"},"spec":{"nodeName":"n1","containers":[{"name":"c"}]}}', headers: json });
});
test.after(async () => {
  await front.close();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const syntax = (v: string) => `strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`;
const BAD: [string, string, string][] = [
  ['GET', `${CMS}?watch=true&timeoutSeconds=abc`, syntax('abc')],
  ['GET', `${CMS}?watch=true&timeoutSeconds=1e12`, syntax('1e12')],
  ['GET', `${CMS}?watch=true&timeoutSeconds=1.5`, syntax('1.5')],
  ['GET', `${CMS}?watch=true&timeoutSeconds=`, syntax('')],
  ['GET', `${CMS}?watch=true&timeoutSeconds=99999999999999999999`, 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
  ['GET', `${CMS}?watch=true&timeoutSeconds=-5`, 'timeoutSeconds: Invalid value: -5: must be greater than or equal to 0'],
  ['GET', `${CMS}?limit=abc`, syntax('abc')],
  ['GET', `${CMS}?limit=1e3`, syntax('1e3')],
  ['GET', `${CMS}?limit=-1`, 'limit: Invalid value: -1: must be greater than or equal to 0'],
  ['DELETE', `${CMS}/keep?gracePeriodSeconds=soon`, syntax('soon')],
  ['DELETE', `${CMS}/keep?gracePeriodSeconds=0x10`, syntax('0x10')],
  ['DELETE', `${CMS}?gracePeriodSeconds=1.5`, syntax('1.5')],
  ['GET', '/api/v1/namespaces/default/pods/p/log?tailLines=ten', syntax('ten')],
  ['GET', '/api/v1/namespaces/default/pods/p/log?limitBytes=1e9', syntax('1e9')],
];

for (const [method, path, message] of BAD) {
  test(`${method} ${path}: 400 BadRequest, nothing asked of the apiserver`, async () => {
    const before = fake.requests.length;
    const r = await call(method, path);
    assert.is(r.status, 400, r.text);
    assert.equal(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message });
    const asked = fake.requests.slice(before).map((e) => e.type);
    assert.equal(asked.filter((t) => t !== 'api.get'), []);
    assert.ok(fake.objects.has('/configmaps/default/keep'));
  });
}

test('valid values pass as Go parses them: a signed limit, limit=0', async () => {
  assert.is((await call('GET', `${CMS}?limit=%2B5`)).status, 200);
  const list = fake.requests.at(-1)!.payload as { options: { limit?: number } };
  assert.is(list.options.limit, 5);
  assert.is((await call('GET', `${CMS}?limit=0`)).status, 200);
});

test('timeoutSeconds=99999999 (and an int64 beyond any timer) keeps the watch open: no timer overflow', async () => {
  for (const value of ['99999999', '9223372036854775807']) {
    const w = watch(`&timeoutSeconds=${value}`);
    await w.head;
    assert.is(w.status, 200);
    await clock.advance(3 * 3600 * 1000);
    await moment();
    assert.is(w.ended, false, `timeoutSeconds=${value} ended the watch`);
    w.close();
  }
});

test('timeoutSeconds=5 ends the watch after 5 s', async () => {
  const w = watch('&timeoutSeconds=5');
  await w.head;
  await clock.advance(4_999);
  await moment();
  assert.is(w.ended, false);
  await clock.advance(1);
  await eventually(() => w.ended);
});

for (const query of ['', '&timeoutSeconds=0']) {
  test(`a watch with ${query ? 'timeoutSeconds=0' : 'no timeoutSeconds'} lasts --min-request-timeout (1800 s) to twice that`, async () => {
    const w = watch(query);
    await w.head;
    await clock.advance(1_800_000 - 1);
    await moment();
    assert.is(w.ended, false);
    await clock.advance(1_800_000 + 1);
    await eventually(() => w.ended);
  });
}

test.run();
