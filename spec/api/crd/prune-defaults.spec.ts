import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileStructuralSchema } from '../../../api/crd/structural.ts';
import type { SchemaProps } from '../../../api/crd/schema-props.ts';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const schema = (spec: SchemaProps) => {
  const c = compileStructuralSchema({ type: 'object', properties: { spec, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } as Record<string, unknown>, P);
  assert.equal(c.errors, []);
  return c.schema;
};
const meta = { name: 'x', labels: { a: 'b' }, anything: 'kept: the apiserver owns metadata' };

test('prune drops unknown fields and keeps apiVersion, kind and metadata at the root', () => {
  const s = schema({ type: 'object', properties: { replicas: { type: 'integer' }, nested: { type: 'object', properties: { a: { type: 'string' } } } } });
  const out = s.prune({ apiVersion: 'v1', kind: 'K', metadata: meta, spec: { replicas: 1, extra: true, nested: { a: 'x', b: 'y' } }, other: 1 });
  assert.equal(out, { apiVersion: 'v1', kind: 'K', metadata: meta, spec: { replicas: 1, nested: { a: 'x' } } });
});

test('prune keeps what x-kubernetes-preserve-unknown-fields keeps, and prunes known fields inside it', () => {
  const s = schema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } });
  assert.equal(s.prune({ spec: { free: { form: [1] }, known: { a: 'x', b: 'y' } }, status: { anything: 1 } }), { spec: { free: { form: [1] }, known: { a: 'x' } }, status: { anything: 1 } });
});

test('prune walks list items and map values; int-or-string and untyped values are kept as they are', () => {
  const s = schema({
    type: 'object',
    properties: {
      items: { type: 'array', items: { type: 'object', properties: { n: { type: 'string' } } } },
      byName: { type: 'object', additionalProperties: { type: 'object', properties: { n: { type: 'string' } } } },
      port: { 'x-kubernetes-int-or-string': true },
    },
  });
  assert.equal(s.prune({ spec: { items: [{ n: 'a', x: 1 }], byName: { k: { n: 'b', y: 2 } }, port: 'http' } }), { spec: { items: [{ n: 'a' }], byName: { k: { n: 'b' } }, port: 'http' } });
});

test('an embedded resource keeps apiVersion, kind and the ObjectMeta fields of its metadata', () => {
  const s = schema({ type: 'object', properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } } } });
  const out = s.prune({ spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' }, junk: 1 }, spec: { a: 'x', b: 'y' }, extra: 1 } } });
  assert.equal(out, { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { a: 'x' } } } });
});

test('defaults apply where the parent exists, top-down into defaulted objects', () => {
  const s = schema({
    type: 'object',
    properties: {
      replicas: { type: 'integer', default: 1 },
      strategy: { type: 'object', default: {}, properties: { type: { type: 'string', default: 'Rolling' }, surge: { type: 'integer' } } },
      probe: { type: 'object', properties: { period: { type: 'integer', default: 10 } } },
      ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } } },
    },
  });
  assert.equal(s.applyDefaults({ spec: {} }), { spec: { replicas: 1, strategy: { type: 'Rolling' } } });
  assert.equal(s.applyDefaults({ spec: { replicas: 3, probe: {}, ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] } }), {
    spec: { replicas: 3, strategy: { type: 'Rolling' }, probe: { period: 10 }, ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
  });
  assert.equal(s.applyDefaults({ metadata: { name: 'x' } }), { metadata: { name: 'x' } }, 'no spec, no defaults inside it');
});

test('a null on a non-nullable field takes the default, or is dropped; a nullable null stays', () => {
  const s = schema({ type: 'object', properties: { a: { type: 'string', default: 'd' }, b: { type: 'string' }, c: { type: 'string', nullable: true } } });
  assert.equal(s.applyDefaults({ spec: { a: null, b: null, c: null } }), { spec: { a: 'd', c: null } });
});

test('prune then default then validate: a pruned, defaulted object validates', () => {
  const s = schema({ type: 'object', required: ['mode'], properties: { mode: { type: 'string', enum: ['A', 'B'], default: 'A' } } });
  const obj = s.applyDefaults(s.prune({ spec: { bogus: 1 } }));
  assert.equal(obj, { spec: { mode: 'A' } });
  assert.equal(s.validate(obj), []);
});

test.run();
