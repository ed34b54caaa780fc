/**
 * CEL cost estimation through the real kubectl: a CRD whose rule walks an unbounded list of
 * unbounded strings is refused with Kubernetes' three cost errors and not stored; bounded by
 * maxItems and maxLength it is created, and the rule runs on its custom resources.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, must, type Cluster } from './cluster.ts';

let c: Cluster;

test.before(async () => {
  c = await startCluster({ controllers: 'apiextensions' });
});
test.after(async () => {
  await c.stop();
});

const crd = (bounds: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: taggers.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: taggers, kind: Tagger}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              tags:
                type: array
                ${bounds}
                items: {type: string${bounds ? ', maxLength: 63' : ''}}
                x-kubernetes-validations:
                - {rule: "self.all(t, t.matches('^[a-z]+$'))", message: tags are lower case}
`;

const HINT = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
const P = 'spec.versions[0].schema.openAPIV3Schema';

test('an unbounded list walked by a rule is refused with upstream\'s cost errors, and nothing is stored', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], crd(''));
  assert.is(r.code, 1);
  assert.is(r.stderr, `The CustomResourceDefinition "taggers.example.com" is invalid: \n` +
    `* ${P}.properties[spec].properties[tags].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${HINT}\n` +
    `* ${P}.properties[spec].properties[tags].x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema\n` +
    `* ${P}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${HINT}\n`);
  assert.is((await c.kubectl(['get', 'crd', 'taggers.example.com'])).code, 1);
});

test('bounded by maxItems and maxLength the CRD is created and its rule runs', async () => {
  must(await c.kubectl(['apply', '-f', '-'], crd('maxItems: 32')), 'apply bounded CRD');
  must(await c.kubectl(['wait', '--for=condition=Established', 'crd/taggers.example.com', '--timeout=10s']), 'Established');
  const tagger = (tags: string) => `apiVersion: example.com/v1\nkind: Tagger\nmetadata: {name: g, namespace: default}\nspec: {tags: ${tags}}\n`;
  const r = await c.kubectl(['apply', '-f', '-'], tagger('[Web]'));
  assert.is(r.code, 1);
  assert.match(r.stderr, /spec.tags: Invalid value: "array": tags are lower case/);
  must(await c.kubectl(['apply', '-f', '-'], tagger('[web, prod]')), 'apply tagger');
});

test.run();
