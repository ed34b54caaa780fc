/**
 * Defaulting and validation never throw: for every registered kind, objects drawn from the
 * kind's field structure (spec/helpers/fuzz-objects.ts) go through what a write runs —
 * decoding, defaulting, validation of a create and of an update — and each step answers
 * with data (type errors, an object, causes), never an exception. Fixed seed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/fuzz.ts';
import { objectOf } from '../helpers/fuzz-objects.ts';
import { allKinds, apiVersionOf } from '../../api/kinds.ts';
import { decode } from '../../api/validation/types.ts';
import type { KubeObject } from '../../base/object.ts';

const RUNS = Number(process.env.FUZZ_VALIDATION_RUNS ?? 60);

for (const kind of allKinds().filter((k) => !k.servedBy && !k.customFields)) {
  test(`${kind.kind}: decode, default and validate answer with data for any object of its shape`, () =>
    check(fc.property(
      objectOf(kind.schema, apiVersionOf(kind), kind.kind, kind.namespaced ? 'default' : undefined),
      objectOf(kind.schema, apiVersionOf(kind), kind.kind, kind.namespaced ? 'default' : undefined),
      (a, b) => {
        const run = (obj: Record<string, unknown>): KubeObject | undefined => {
          const d = decode(kind, obj as KubeObject);
          return d.errors.length ? undefined : kind.defaults(d.value);
        };
        const next = run(a);
        if (!next) return;
        const created = kind.validate(next);
        assert.ok(Array.isArray(created));
        for (const c of created) assert.type(c.message, 'string');
        const old = run(b);
        if (old) assert.ok(Array.isArray(kind.validate(next, old)));
      },
    ), RUNS));
}

test.run();
