/**
 * The connect shim (connect-shim.c) in real processes: a program started with it preloaded
 * and a connect table on disk, as the process runtime starts a container, connects to a
 * "ClusterIP" and lands on the endpoints the table names, from its POD_IP.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../../../helpers/wait.ts';
import { CONNECT_SHIM } from '../../../../actors/runtime/process/connect-shim.ts';

const SERVICE = '127.255.220.10';
const BACKENDS = ['127.255.220.2', '127.255.220.3'];
const POD_IP = '127.255.220.7';
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-connect-shim-'));
const table = join(dir, 'services');
const servers: Server[] = [];

/** Each backend answers with its own address and the client's. */
test.before(async () => {
  for (const ip of BACKENDS) {
    const s = createServer((sock) => sock.end(`${ip} from ${sock.remoteAddress}`));
    await new Promise<void>((resolve) => s.listen({ host: ip, port: 9100 }, resolve));
    servers.push(s);
  }
});
test.after(async () => {
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Replaces the table as kube-proxy does (write beside, rename). */
function writeTable(text: string): void {
  writeFileSync(join(dir, '.next'), text);
  renameSync(join(dir, '.next'), table);
}

/** What `count` connections to host:port read, from a child process with the shim preloaded. */
async function connectFromPod(host: string, port: number, count: number): Promise<string[]> {
  const script = `
    const net = require('node:net');
    const one = () => new Promise((resolve) => {
      const s = net.connect(${port}, '${host}');
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('close', () => resolve(got));
      s.on('error', (e) => resolve(e.code));
    });
    (async () => { const out = []; for (let i = 0; i < ${count}; i++) out.push(await one()); console.log(JSON.stringify(out)); })();`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...process.env, LD_PRELOAD: CONNECT_SHIM!, KUBEACTOR_CONNECT_TABLE: table, POD_IP },
  });
  return JSON.parse(stdout) as string[];
}

test('the shim is built on Linux (npm ci runs node-gyp)', () => {
  assert.ok(CONNECT_SHIM, 'build/Release/kubeactor-connect.so is missing: run `npm ci` (needs make and a C compiler)');
});

test('a connect to a Service port goes to its endpoints in turn, from the pod\'s own IP', async () => {
  writeTable(`${SERVICE} 80 ${BACKENDS[0]}:9100 ${BACKENDS[1]}:9100\n`);
  const got = await connectFromPod(SERVICE, 80, 4);
  assert.equal([...new Set(got)].sort(), BACKENDS.map((ip) => `${ip} from ${POD_IP}`));
});

test('a Service port without endpoints refuses at once; another port or address connects as it is', async () => {
  writeTable(`${SERVICE} 80\n`);
  assert.equal(await connectFromPod(SERVICE, 80, 1), ['ECONNREFUSED']);
  assert.equal(await connectFromPod(BACKENDS[1]!, 9100, 1), [`${BACKENDS[1]} from ${POD_IP}`]);
  assert.equal(await connectFromPod(SERVICE, 81, 1), ['ECONNREFUSED'], 'nothing listens on the Service address itself');
});

test('a table replaced while the program runs is read at its next connect; no table: connects as they are', async () => {
  writeTable(`${SERVICE} 80 ${BACKENDS[0]}:9100\n`);
  // One process connects, waits for the table to be replaced, connects again.
  const script = `
    const net = require('node:net'), fs = require('node:fs');
    const one = () => new Promise((resolve) => {
      const s = net.connect(80, '${SERVICE}');
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('close', () => resolve(got));
      s.on('error', (e) => resolve(e.code));
    });
    (async () => {
      const ino = fs.statSync('${table}').ino;
      console.log(await one());
      while (fs.statSync('${table}', { throwIfNoEntry: false })?.ino === ino) await new Promise((r) => setTimeout(r, 10));
      console.log(await one());
    })();`;
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, LD_PRELOAD: CONNECT_SHIM!, KUBEACTOR_CONNECT_TABLE: table, POD_IP } });
  const lines: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  await eventually(() => lines.length === 1, { what: 'the first answer' });
  writeTable(`${SERVICE} 80 ${BACKENDS[1]}:9100\n`);
  await new Promise((resolve) => child.on('close', resolve));
  assert.equal(lines, [`${BACKENDS[0]} from ${POD_IP}`, `${BACKENDS[1]} from ${POD_IP}`]);
  rmSync(table);
  assert.equal(await connectFromPod(SERVICE, 80, 1), ['ECONNREFUSED'], 'no table: the Service address itself, where nothing listens');
});

test.run();
