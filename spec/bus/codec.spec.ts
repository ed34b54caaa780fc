import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Packr } from 'msgpackr';
import { createCodec, isEnvelopeShape, PROTOCOL_VERSION, ProtocolMismatch } from '../../bus/codec.ts';
import type { Envelope } from '../../base/envelope.ts';
import { conflict, fail, ok } from '../../base/status.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'default', uid: '0b7c…', resourceVersion: '42', creationTimestamp: '2024-01-01T00:00:00Z', labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], nodeName: 'node-1' },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:01Z' }] },
};

const inside: Envelope[] = [
  { seq: 1, from: 'apiserver', to: 'kv', type: 'kv.get', payload: { key: '/registry/pods/default/web-0' }, corr: 'apiserver#1', at: 1_700_000_000_000 },
  { seq: 2, from: 'kv', to: 'apiserver', type: 'reply', payload: ok({ kv: { key: 'k', value: pod, createRevision: 1, modRevision: 2, version: 2 }, revision: 2 }), corr: 'apiserver#1', at: 1 },
  { seq: 3, from: 'kv', to: 'apiserver', type: 'reply', payload: fail(conflict('pods', 'web-0', 'the object has been modified')), corr: 'c', at: 2 },
  { seq: 4, from: 'scheduler', to: 'kubelet.node-1', type: 'sys.note', payload: { n: 1.5, text: 'héllo ✓ 漢字' }, at: 3 },
];

/** Shapes that are not in the frozen table: a codec that learned them would be read wrongly by its peers. */
const outside = Array.from({ length: 80 }, (_, i) => ({ [`field${i}`]: i, [`other${i}`]: [i, { deep: `v${i}`, [`k${i}`]: null }], flag: i % 2 === 0 }));

test('round trips envelopes of the frozen shapes', () => {
  const c = createCodec();
  for (const env of inside) {
    const frame = c.encode(env);
    assert.is(frame[0], PROTOCOL_VERSION);
    const back = c.decode(frame);
    assert.equal(back, env);
    assert.ok(isEnvelopeShape(back));
  }
});

test('round trips values of many other shapes (no room to learn)', () => {
  const c = createCodec();
  for (const v of [...outside, null, 0, -1, 2 ** 40, 'x', [1, [2, [3]]], { a: { b: { c: {} } } }, { empty: '' }]) {
    assert.equal(c.decode(c.encode(v)), v);
  }
});

test('two independent codecs decode each other, inside and outside the table, in both directions', () => {
  const a = createCodec();
  const b = createCodec();
  // Encode the same new shapes repeatedly first: a learning codec would switch to a private record id.
  for (let round = 0; round < 3; round++) {
    for (const v of [...inside, ...outside]) {
      assert.equal(b.decode(a.encode(v)), v);
      assert.equal(a.decode(b.encode(v)), v);
    }
  }
  // A third, fresh codec still reads what the seasoned ones write.
  const fresh = createCodec();
  for (const v of [...inside, ...outside]) assert.equal(fresh.decode(a.encode(v)), v);
});

test('frozen shapes are encoded as shared records (smaller than self-describing maps)', () => {
  const c = createCodec();
  const plain = new Packr({ useRecords: false });
  const env = inside[1]!;
  assert.ok(c.encode(env).length < plain.pack(env).length, 'shared structures make frames smaller');
});

test('a frame of another protocol version fails with ProtocolMismatch', () => {
  const c = createCodec();
  const frame = c.encode(inside[0]);
  frame[0] = PROTOCOL_VERSION + 1;
  try {
    c.decode(frame);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, ProtocolMismatch);
    assert.is((err as ProtocolMismatch).got, PROTOCOL_VERSION + 1);
    assert.match((err as Error).message, /protocol version/);
  }
});

test('garbage fails cleanly: an Error, never a crash or a hang', () => {
  const c = createCodec();
  assert.throws(() => c.decode(new Uint8Array(0)));
  assert.throws(() => c.decode(Uint8Array.of(PROTOCOL_VERSION)));
  assert.throws(() => c.decode(Uint8Array.of(PROTOCOL_VERSION, 0x93, 1)), 'an array cut short');
  assert.throws(() => c.decode(Uint8Array.of(PROTOCOL_VERSION, 0xff, 1)), 'trailing bytes');
  // msgpackr reads the never-used 0xc1 as a marker value: not an error, but never an envelope either.
  assert.not.ok(isEnvelopeShape(c.decode(Uint8Array.of(PROTOCOL_VERSION, 0xc1))));
  const frame = c.encode(inside[1]);
  assert.throws(() => c.decode(frame.subarray(0, frame.length - 5)), 'truncated frame');
  // Deterministic pseudo-random bytes (a spec must not depend on chance).
  let x = 0x2545f491;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  let threw = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from({ length: 2 + (i % 64) }, next);
    bytes[0] = PROTOCOL_VERSION;
    try {
      c.decode(bytes);
    } catch (err) {
      assert.instance(err, Error);
      threw++;
    }
  }
  assert.ok(threw > 0);
  // The codec still works after all that.
  assert.equal(c.decode(c.encode(inside[3])), inside[3]);
});

// Found by spec/bus/nats-fuzz.property.spec.ts (seed 20261205): a frame that defines a record
// structure inline under a shared id (here 0x40, the envelope's) changed the codec for good,
// so every later frame — its own and its peers' — decoded wrongly or not at all.
test('a frame redefining a shared structure inline does not change how later frames decode', () => {
  const codec = createCodec();
  const env = { seq: 1, from: 'a', to: 'b', type: 'x', payload: { weird: 1, shape: 2 }, at: 0 };
  // 0xd4 0x72 0x40: "record definition of structure 0x40" — then ["zzz","yyy"] and its values.
  const poison = Uint8Array.from(Buffer.from('01d4724092a37a7a7aa37979790102', 'hex'));
  assert.equal(codec.decode(codec.encode(env)), env, 'a codec that has been working (its readers compiled)');
  assert.equal(codec.decode(poison), { zzz: 1, yyy: 2 });
  assert.equal(codec.decode(codec.encode(env)), env);
  assert.equal(createCodec().decode(codec.encode(env)), env, 'a peer reads what it encodes');
  // Structures beyond the table, defined inline, are forgotten too.
  const beyond = Uint8Array.from(Buffer.from('01d4725192a37a7a7aa37979790102', 'hex'));
  assert.equal(codec.decode(beyond), { zzz: 1, yyy: 2 });
  assert.throws(() => codec.decode(Uint8Array.from([1, 0x51, 1, 2])));
});

test.run();
