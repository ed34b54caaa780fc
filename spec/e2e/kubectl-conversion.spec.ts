/**
 * Issue 18, end to end: a CRD with two versions and `conversion: Webhook`, through the real
 * kubectl. The spec serves the conversion webhook over HTTPS on loopback (its own CA, given to
 * the CRD as caBundle): v1 (storage) has `spec.size`, v2 (served) calls it `spec.dimension`.
 * Each version shows its own shape on get, list and watch; a patch at v2 applies to the v2
 * shape; objects stored at the old storage version are converted on read; with the webhook
 * stopped kubectl prints upstream's 500 conversion error and nothing stored changes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { closeServer, listenLoopback, loopbackService, webhookServerOptions } from './https-server.ts';
import { generateTls } from '../../actors/apiserver/http/tls/cert.ts';
import { must, startCluster, type Cluster } from './cluster.ts';

let c: Cluster;
let server: Server;
let port = 0;
const tls = generateTls();
const caBundle = Buffer.from(tls.caCert).toString('base64');
/** Every ConversionReview request the webhook got: desired version and how many objects. */
const reviews: { desired: string; count: number; sni?: string }[] = [];

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec?: Record<string, unknown> };

/** v1's spec.size is v2's spec.dimension; nothing else differs. */
function convert(o: Obj, desired: string): Obj {
  const spec = { ...(o.spec ?? {}) };
  if (desired.endsWith('/v2') && 'size' in spec) {
    spec.dimension = spec.size;
    delete spec.size;
  }
  if (desired.endsWith('/v1') && 'dimension' in spec) {
    spec.size = spec.dimension;
    delete spec.dimension;
  }
  return { ...o, apiVersion: desired, spec };
}

async function startServer(): Promise<void> {
  server = createServer(webhookServerOptions(tls, 'conv.default.svc'), (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string; desiredAPIVersion: string; objects: Obj[] } };
      const { uid, desiredAPIVersion, objects } = review.request;
      const sni = (req.socket as TLSSocket).servername;
      reviews.push({ desired: desiredAPIVersion, count: objects.length, ...(sni ? { sni } : {}) });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        response: { uid, result: { status: 'Success' }, convertedObjects: objects.map((o) => convert(o, desiredAPIVersion)) },
      }));
    });
  });
  port = await listenLoopback(server, port);
}

const stopServer = () => closeServer(server);

const ok = async (args: string[], input?: string): Promise<string> => must(await c.kubectl(args, input), `kubectl ${args.join(' ')}`).trim();

const version = (name: string, served: boolean, storage: boolean, field: string) => ({
  name,
  served,
  storage,
  subresources: { status: {} },
  schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { [field]: { type: 'string' } } }, status: { type: 'object', properties: { phase: { type: 'string' } } } } } },
});

const byUrl = () => ({ url: `https://127.0.0.1:${port}/convert`, caBundle });
const byService = () => ({ service: { namespace: 'default', name: 'conv', path: '/convert' }, caBundle });

const crd = (storage: 'v1' | 'v2', clientConfig: Record<string, unknown> = byUrl()) => JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [version('v1', true, storage === 'v1', 'size'), version('v2', true, storage === 'v2', 'dimension')],
    conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig } },
  },
});

const widgetV2 = (name: string, dimension: string) => JSON.stringify({ apiVersion: 'example.com/v2', kind: 'Widget', metadata: { name, namespace: 'default' }, spec: { dimension } });
const shape = (resource: string, name: string) => ok(['get', resource, name, '-o', 'jsonpath={.apiVersion}|{.spec.size}|{.spec.dimension}']);

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.unreachable(`timed out waiting for ${what}`);
}

test.before(async () => {
  c = await startCluster({ controllers: 'apiextensions' });
  await startServer();
});

test.after(async () => {
  if (server.listening) await stopServer();
  await c?.stop();
});

test('the conversion stanza is validated as upstream', async () => {
  const bad = JSON.parse(crd('v1')) as { spec: { conversion: Record<string, unknown> } };
  bad.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v3'], clientConfig: { url: 'http://127.0.0.1/convert' } } };
  const r = await c.kubectl(['apply', '-f', '-'], JSON.stringify(bad));
  assert.is.not(r.code, 0);
  assert.match(r.stderr, `spec.conversion.webhookClientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme`);
  assert.match(r.stderr, 'spec.conversion.conversionReviewVersions: Invalid value: []string{"v3"}: must include at least one of v1, v1beta1');
});

test('applied at v2, stored at v1: each version shows its own shape', async () => {
  await ok(['apply', '-f', '-'], crd('v1'));
  await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s']);
  await ok(['apply', '-f', '-'], widgetV2('w1', 'large'));
  assert.is(await shape('widgets.v2.example.com', 'w1'), 'example.com/v2||large');
  assert.is(await shape('widgets.v1.example.com', 'w1'), 'example.com/v1|large|');
  assert.ok(reviews.some((r) => r.desired === 'example.com/v1'), 'the v2 body went through the webhook to v1');
});

test('a list at v2 converts the page in one ConversionReview', async () => {
  await ok(['apply', '-f', '-'], widgetV2('w2', 'small'));
  reviews.length = 0;
  const list = JSON.parse(await ok(['get', 'widgets.v2.example.com', '-o', 'json'])) as { items: Obj[] };
  assert.equal(list.items.map((i) => [i.apiVersion, i.metadata.name, i.spec?.dimension, i.spec?.size]), [['example.com/v2', 'w1', 'large', undefined], ['example.com/v2', 'w2', 'small', undefined]]);
  assert.equal(reviews.map((r) => [r.desired, r.count]), [['example.com/v2', 2]]);
});

test('a patch at v2 applies to the v2 shape; a watch at v2 sees it converted', async () => {
  const watch = c.background(['get', 'widgets.v2.example.com', '--watch', '-o', 'jsonpath={.metadata.name}={.spec.dimension}{"\\n"}']);
  await until('the watch to list', () => watch.output().includes('w2=small'));
  await ok(['patch', 'widgets.v2.example.com', 'w1', '--type=merge', '-p', '{"spec":{"dimension":"huge"}}']);
  await ok(['patch', 'widgets.v2.example.com', 'w2', '--type=json', '-p', '[{"op":"replace","path":"/spec/dimension","value":"tiny"}]']);
  await until('the watch to see both patches', () => watch.output().includes('w1=huge') && watch.output().includes('w2=tiny'));
  const seen = (await watch.stop()).stdout.trim().split('\n');
  assert.ok(seen.indexOf('w1=huge') < seen.indexOf('w2=tiny'), seen.join(','));
  assert.is(await shape('widgets.v1.example.com', 'w1'), 'example.com/v1|huge|');
  assert.is(await shape('widgets.v1.example.com', 'w2'), 'example.com/v1|tiny|');
  // kubectl apply of a changed v2 object: its merge patch is written at v2 and applied to the v2 shape.
  await ok(['apply', '-f', '-'], widgetV2('w1', 'giant'));
  assert.is(await shape('widgets.v2.example.com', 'w1'), 'example.com/v2||giant');
});

test('the status subresource at v2: read and patched through the conversion, the spec kept', async () => {
  await ok(['patch', 'widgets.v2.example.com', 'w2', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Ready"}}']);
  assert.is(await ok(['get', 'widgets.v2.example.com', 'w2', '--subresource=status', '-o', 'jsonpath={.apiVersion}|{.status.phase}|{.spec.dimension}']), 'example.com/v2|Ready|tiny');
  assert.is(await ok(['get', 'widgets.v1.example.com', 'w2', '-o', 'jsonpath={.status.phase}|{.spec.size}']), 'Ready|tiny');
});

test('a conversion webhook behind a Service: called at its endpoint, its certificate checked for <name>.<namespace>.svc', async () => {
  await ok(['apply', '-f', '-'], loopbackService('default', 'conv', port));
  await ok(['apply', '-f', '-'], crd('v1', byService()));
  reviews.length = 0;
  await until('the CRD to call the Service', async () => (await c.kubectl(['get', 'widgets.v2.example.com', 'w2', '-o', 'jsonpath={.spec.dimension}'])).stdout === 'tiny' && reviews.some((r) => r.sni === 'conv.default.svc'));
  await ok(['apply', '-f', '-'], crd('v1'));
});

test('with the storage version moved to v2, objects stored at v1 are converted on read', async () => {
  await ok(['apply', '-f', '-'], crd('v2'));
  await until('v2 to be the storage version', async () => (await c.kubectl(['get', 'crd', 'widgets.example.com', '-o', 'jsonpath={.status.storedVersions}'])).stdout.includes('v2'));
  await until('the kind to be served at v2', async () => (await shape('widgets.v2.example.com', 'w2')) === 'example.com/v2||tiny');
  assert.is(await shape('widgets.v1.example.com', 'w2'), 'example.com/v1|tiny|');
  await ok(['apply', '-f', '-'], crd('v1'));
  await until('the kind to be served at v1 again', async () => (await shape('widgets.v1.example.com', 'w2')) === 'example.com/v1|tiny|');
});

test('delete at v2: a held object is answered at v2, a finalizer patched away at v2, a collection deleted', async () => {
  const held = JSON.parse(widgetV2('w3', 'odd')) as Obj;
  held.metadata.finalizers = ['example.com/hold'];
  await ok(['apply', '-f', '-'], JSON.stringify(held));
  await ok(['apply', '-f', '-'], widgetV2('w4', 'even'));
  const raw = JSON.parse(await ok(['delete', '--raw', '/apis/example.com/v2/namespaces/default/widgets/w3'])) as Obj;
  assert.equal([raw.apiVersion, raw.spec?.dimension, typeof raw.metadata.deletionTimestamp], ['example.com/v2', 'odd', 'string']);
  await ok(['patch', 'widgets.v2.example.com', 'w3', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
  await until('the held widget to go', async () => (await c.kubectl(['get', 'widgets.v1.example.com', 'w3'])).code !== 0);
  const gone = JSON.parse(await ok(['delete', '--raw', '/apis/example.com/v2/namespaces/default/widgets?fieldSelector=metadata.name%3Dw4'])) as { items?: Obj[] };
  assert.equal((gone.items ?? []).map((i) => [i.apiVersion, i.spec?.dimension]), [['example.com/v2', 'even']]);
});

test('with the webhook stopped, kubectl shows the 500 conversion error and nothing stored changes', async () => {
  const watch = c.background(['get', 'widgets.v2.example.com', '--watch', '--output-watch-events', '-o', 'json']);
  await until('the watch to list', () => watch.output().includes('"dimension":"tiny"'));
  await stopServer();
  // At the storage version nothing is converted: the write works, and the v2 watch cannot convert its event.
  await ok(['patch', 'widgets.v1.example.com', 'w1', '--type=merge', '-p', '{"spec":{"size":"medium"}}']);
  const before = await ok(['get', 'widgets.v1.example.com', 'w2', '-o', 'json']);
  const refused = `conversion webhook for example.com/v1, Kind=Widget failed: Post "https://127.0.0.1:${port}/convert?timeout=30s": dial tcp 127.0.0.1:${port}: connect: connection refused`;
  const get = await c.kubectl(['get', 'widgets.v2.example.com', 'w2']);
  assert.is.not(get.code, 0);
  assert.match(get.stderr, `Error from server: ${refused}`);
  const patch = await c.kubectl(['patch', 'widgets.v2.example.com', 'w2', '--type=merge', '-p', '{"spec":{"dimension":"none"}}']);
  assert.is.not(patch.code, 0);
  assert.match(patch.stderr, refused);
  const apply = await c.kubectl(['apply', '-f', '-'], widgetV2('w2', 'none'));
  assert.is.not(apply.code, 0);
  assert.match(apply.stderr, 'conversion webhook for example.com/v');
  const raw = await c.kubectl(['get', '--raw', '/apis/example.com/v2/namespaces/default/widgets/w2']);
  assert.match(raw.stderr, refused);
  assert.is(await ok(['get', 'widgets.v1.example.com', 'w2', '-o', 'json']), before);
  // The watch's event could not be converted: an ERROR event carries the Status and the stream ends (kubectl exits by itself).
  await until('the watch to end', () => watch.output().includes('"type":"ERROR"'));
  const watched = await watch.stop();
  assert.not.match(watched.stdout, 'medium');
  const last = JSON.parse(watched.stdout.trim().split('\n').at(-1)!) as { type: string; object: { code: number; message: string } };
  assert.equal([last.type, last.object.code, last.object.message], ['ERROR', 500, refused]);
});

test.run();
