/**
 * The SPDY/3.1 server framing behind `kubectl port-forward` (actors/apiserver/http/spdy.ts),
 * driven with frames built as the Go client builds them: zlib header blocks with the SPDY/3
 * dictionary in one context per direction, frames split across transport messages.
 */
import { eventually } from '../../../helpers/wait.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SpdyServer, SPDY_DICTIONARY } from '../../../../actors/apiserver/http/spdy.ts';

const flush = (z: Deflate | Inflate, input: Buffer): Promise<Buffer> =>
  new Promise((resolve) => {
    const out: Buffer[] = [];
    const on = (d: Buffer) => out.push(d);
    z.on('data', on);
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('data', on);
      resolve(Buffer.concat(out));
    });
  });

function block(headers: Record<string, string>): Buffer {
  const parts = [Buffer.alloc(4)];
  parts[0]!.writeUInt32BE(Object.keys(headers).length);
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k, v]) {
      const b = Buffer.alloc(4 + Buffer.byteLength(s));
      b.writeUInt32BE(Buffer.byteLength(s));
      b.write(s, 4);
      parts.push(b);
    }
  }
  return Buffer.concat(parts);
}

const control = (type: number, flags: number, body: Buffer): Buffer => {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE((flags << 24) | body.length, 4);
  return Buffer.concat([h, body]);
};

function harness() {
  const written: Buffer[] = [];
  const events: string[] = [];
  const server = new SpdyServer((b, done) => (written.push(b), done?.()), {
    stream: (id, h, fin) => events.push(`stream ${id} ${[...h].map(([k, v]) => `${k}=${v}`).join(',')}${fin ? ' fin' : ''}`),
    data: (id, d, fin) => events.push(`data ${id} ${d.toString()}${fin ? ' fin' : ''}`),
    reset: (id) => events.push(`reset ${id}`),
    closed: (why) => events.push(`closed ${why}`),
  });
  // zlib works off the main thread: wait for what a test expects, not a fixed pause (a loaded machine is slower).
  return { server, written, events, until: (check: () => boolean) => eventually(check, { timeoutMs: 5000 }) };
}

test('SYN_STREAMs split byte by byte are read with their headers (one zlib context), data and FIN follow', async () => {
  const h = harness();
  const client = createDeflate({ dictionary: SPDY_DICTIONARY });
  const syn = async (id: number, headers: Record<string, string>) => {
    const pre = Buffer.alloc(10);
    pre.writeUInt32BE(id, 0);
    return control(1, 0, Buffer.concat([pre, await flush(client, block(headers))]));
  };
  const data = Buffer.concat([Buffer.from([0, 0, 0, 3, 1, 0, 0, 4]), Buffer.from('ping')]);
  const bytes = Buffer.concat([await syn(1, { streamType: 'error', port: '80', requestID: '0' }), await syn(3, { streamType: 'data', port: '80', requestID: '0' }), data]);
  for (const b of bytes) h.server.receive(Buffer.from([b]));
  await h.until(() => h.events.length >= 3);
  assert.equal(h.events, ['stream 1 streamtype=error,port=80,requestid=0', 'stream 3 streamtype=data,port=80,requestid=0', 'data 3 ping fin']);
});

test('SYN_REPLY carries an empty header block the client inflates; PING is echoed; GOAWAY closes', async () => {
  const h = harness();
  h.server.reply(3);
  h.server.receive(control(6, 0, Buffer.from([0, 0, 0, 7])));
  await h.until(() => h.written.length >= 2);
  const [reply, pong] = h.written;
  assert.is(reply!.readUInt16BE(2), 2);
  assert.is(reply!.readUInt32BE(8), 3);
  const inflated = await flush(createInflate({ dictionary: SPDY_DICTIONARY }), reply!.subarray(12));
  assert.is(inflated.readUInt32BE(0), 0);
  assert.ok(pong!.equals(control(6, 0, Buffer.from([0, 0, 0, 7]))));
  h.server.receive(control(7, 0, Buffer.alloc(8)));
  await h.until(() => h.events.length >= 1);
  assert.equal(h.events, ['closed the client sent GOAWAY']);
});

test('a frame of another SPDY version ends the connection', async () => {
  const h = harness();
  const bad = control(6, 0, Buffer.alloc(4));
  bad.writeUInt16BE(0x8002, 0);
  h.server.receive(bad);
  await h.until(() => h.events.length >= 1);
  assert.equal(h.events, ['closed unsupported SPDY version 2']);
});

test.run();
