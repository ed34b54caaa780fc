/**
 * Per-version printer columns: each served version of a CRD prints its own
 * additionalPrinterColumns (apiextensions' GetColumnsForVersion), AGE when it lists none.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCustomResourceDefinition } from '../../../api/crd/definition-rules.ts';
import { customKind } from '../../../api/crd/custom-kind.ts';
import { kindRegistry } from '../../../api/kinds.ts';
import { tableFor } from '../../../api/tables/index.ts';

const open = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
const kind = customKind(defaultCustomResourceDefinition({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gizmos.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'gizmos', kind: 'Gizmo' },
    versions: [
      { name: 'v1alpha1', served: true, storage: false, schema: open },
      { name: 'v1beta1', served: true, storage: false, schema: open, additionalPrinterColumns: [{ name: 'Colour', type: 'string', jsonPath: '.spec.color' }] },
      { name: 'v1', served: true, storage: true, schema: open, additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] },
    ],
  },
}));

test('a table is printed in the columns of the version asked for', () => {
  kindRegistry.register(kind);
  try {
    const g = { metadata: { name: 'g1', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { color: 'teal', size: 7 } };
    const now = Date.parse('2026-01-01T00:05:00Z');
    const table = (version?: string) => {
      const t = tableFor({ group: 'example.com', resource: 'gizmos', ...(version ? { version } : {}) }, [g], { now });
      return [t.columnDefinitions.map((c) => c.name), t.rows.map((r) => r.cells)];
    };
    assert.equal(table('v1beta1'), [['Name', 'Colour'], [['g1', 'teal']]]);
    assert.equal(table('v1'), [['Name', 'Size'], [['g1', 7]]]);
    assert.equal(table('v1alpha1'), [['Name', 'Age'], [['g1', '5m']]]);
    // No version: the kind's own (the storage version's).
    assert.equal(table(), [['Name', 'Size'], [['g1', 7]]]);
  } finally {
    kindRegistry.unregister(kind.gr);
  }
});

test.run();
