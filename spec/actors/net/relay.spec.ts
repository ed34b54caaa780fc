/**
 * The relay contract (actors/net/relay.ts), run against each implementation through a real
 * forwarding listener on loopback: what a client and a backend see of a proxied connection
 * must be what they would see of a direct one (or of a kernel NAT's). On Linux the native
 * relay must be built: `npm ci` builds it, and a machine where it did not is a failure here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listenTcp, type Listener } from '../../../actors/net/forward.ts';
import { javascriptRelay, nativeRelay, type Relay } from '../../../actors/net/relay.ts';
import { eventually } from '../../helpers/wait.ts';

const BACKEND = { host: '127.255.210.2', port: 9000 };
const PROXY = '127.255.210.1';

if (process.platform === 'linux') {
  const built = suite('relay: the native addon');
  built('is built on Linux (npm ci runs node-gyp)', () => {
    assert.ok(nativeRelay, 'build/Release/relay.node is missing: run `npm ci` (needs make and a C compiler)');
  });
  built.run();
}

type Handler = (sock: Socket) => void;

/** Opens the file descriptors this process has now. */
const openFds = (): number => readdirSync('/proc/self/fd').length;

function contract(relay: Relay, port: number): void {
  const t = suite(`relay contract: ${relay.name}`);
  let handler: Handler = () => {};
  let backend: Server;
  let proxy: Listener;
  const dial = (): Socket => connect({ host: PROXY, port, allowHalfOpen: true, noDelay: true });

  t.before(async () => {
    backend = createServer({ allowHalfOpen: true, noDelay: true }, (sock) => handler(sock));
    await new Promise<void>((resolve) => backend.listen({ ...BACKEND }, resolve));
    proxy = await listenTcp(PROXY, port, { pick: () => BACKEND }, relay);
  });
  t.after(async () => {
    proxy.close();
    await new Promise((resolve) => backend.close(resolve));
  });
  t.after.each(async () => {
    await eventually(() => relay.open() === 0, { what: 'every relayed connection closed', detail: () => `${relay.open()} open` });
  });

  t('requests and answers pass both ways, one after another, on one connection', async () => {
    handler = (sock) => {
      sock.on('data', (d) => sock.write(`echo ${d}`));
      sock.on('end', () => sock.end());
    };
    const s = dial();
    const answers: string[] = [];
    for (let i = 0; i < 50; i++) {
      s.write(`${i}`);
      answers.push(String(await new Promise<Buffer>((resolve) => s.once('data', resolve))));
    }
    s.end();
    await new Promise((resolve) => s.on('close', resolve));
    assert.equal(answers, Array.from({ length: 50 }, (_, i) => `echo ${i}`));
  });

  t('a backend that speaks first is heard before the client writes', async () => {
    handler = (sock) => sock.end('220 ready\r\n');
    const s = dial();
    let got = '';
    s.on('data', (d) => (got += d));
    await new Promise((resolve) => s.on('end', resolve));
    s.end();
    assert.is(got, '220 ready\r\n');
  });

  t('16 MiB each way arrive whole while the reader is slow (backpressure, no byte lost)', async () => {
    const up = randomBytes(16 << 20);
    const down = randomBytes(16 << 20);
    const sha = (b: Buffer | Buffer[]): string => createHash('sha256').update(Array.isArray(b) ? Buffer.concat(b) : b).digest('hex');
    const atBackend = new Promise<string>((resolve) => {
      handler = (sock) => {
        const got: Buffer[] = [];
        sock.on('data', (d) => got.push(d));
        sock.on('end', () => resolve(sha(got)));
        sock.end(down);
      };
    });
    const s = dial();
    const got: Buffer[] = [];
    // Reads in bursts with pauses, so the relay must hold back instead of buffering all.
    s.on('data', (d) => {
      got.push(d);
      s.pause();
      setTimeout(() => s.resume(), 1);
    });
    s.end(up);
    await new Promise((resolve) => s.on('end', resolve));
    assert.is(await atBackend, sha(up));
    assert.is(sha(got), sha(down));
  });

  t('a client that ends its sending side still gets the answer (half-close), then both close', async () => {
    handler = (sock) => {
      let got = '';
      sock.on('data', (d) => (got += d));
      sock.on('end', () => sock.end(`got ${got}`));
    };
    const s = dial();
    let got = '';
    s.on('data', (d) => (got += d));
    s.end('question');
    await new Promise((resolve) => s.on('close', resolve));
    assert.is(got, 'got question');
  });

  t('a backend reset resets the client', async () => {
    handler = (sock) => sock.once('data', () => sock.resetAndDestroy());
    const s = dial();
    s.write('hello');
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      s.on('error', resolve);
      s.on('close', () => resolve(undefined));
    });
    assert.is(err?.code, 'ECONNRESET');
  });

  t('a client reset resets the backend', async () => {
    const seen = new Promise<string | undefined>((resolve) => {
      handler = (sock) => {
        sock.on('error', (err: NodeJS.ErrnoException) => resolve(err.code));
        sock.on('end', () => resolve('end'));
        sock.write('hi');
      };
    });
    const s = dial();
    await new Promise((resolve) => s.once('data', resolve));
    s.resetAndDestroy();
    assert.is(await seen, 'ECONNRESET');
  });

  t('no file descriptor is left open after 200 connections', async () => {
    handler = (sock) => sock.on('data', (d) => sock.end(d));
    const before = openFds();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => new Promise<string>((resolve) => {
      const s = dial();
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('close', () => resolve(got));
      s.end(`${i}`);
    })));
    assert.is(answers.filter((a, i) => a === `${i}`).length, 200);
    await eventually(() => relay.open() === 0 && openFds() <= before, { what: 'descriptors back to where they were', detail: () => `${openFds()} open, ${before} before` });
  });

  t.run();
}

contract(javascriptRelay, 9001);
if (nativeRelay) contract(nativeRelay, 9002);
