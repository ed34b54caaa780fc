import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { RejectCause } from '../../bus/bus.ts';
import { createCodec } from '../../bus/codec.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import { WorkersBus } from '../../bus/workers/bus.ts';
import type { Frame } from '../../bus/workers/link.ts';
import { startWorkerThread } from '../../bus/workers/thread.ts';
import { ok, type Result } from '../../base/status.ts';
import { eventually } from '../helpers/wait.ts';
import { busContract, NODE_ADDRESS, responder, type Sides } from './contract.ts';

/**
 * Side `a` is the main thread's bus, side `b` a worker's, joined by a MessageChannel: the
 * same code path as two threads (each bus sees only its MessagePort), with both ends on this
 * thread so the contract's handlers can be closures of the test. The suite below runs a
 * real worker thread.
 */
function workerSides(): Sides & { a: WorkersBus; b: WorkersBus } {
  const { port1, port2 } = new MessageChannel();
  const a = WorkersBus.main();
  a.attach(port1, 'node-b');
  const b = WorkersBus.worker(port2, 'node-b');
  return {
    a,
    b,
    sync: async () => {
      await b.flush();
      await a.flush();
    },
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

busContract('worker threads', async () => workerSides()).run();

/** A raw MessagePort attached to the main bus as a worker: what a buggy or hostile thread could post. */
function rawWorker(a: WorkersBus, identity = 'node-b'): { post(frames: Frame[], transfer?: ArrayBuffer[]): void; got: Frame[]; port: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  a.attach(port1, identity);
  const got: Frame[] = [];
  port2.on('message', (frames: Frame[]) => got.push(...frames));
  return { post: (frames, transfer = []) => port2.postMessage(frames, transfer), got, port: port2 };
}

const codec = createCodec();
const bytes = (env: Envelope): ArrayBuffer => codec.encode(env).buffer as ArrayBuffer;

const t = suite<{ a: WorkersBus; rejects: RejectCause[] }>('worker threads transport', {} as never);
t.before.each((ctx) => {
  ctx.a = WorkersBus.main();
  ctx.rejects = [];
  ctx.a.onReject((cause) => ctx.rejects.push(cause));
});
t.after.each(async (ctx) => {
  await ctx.a.close();
});

t('a worker sending as an address it did not register is rejected as forged, and its request answered 403', async ({ a, rejects }) => {
  const { got } = responder(a, 'scheduler');
  const raw = rawWorker(a);
  const forged: Envelope = { seq: 1, from: 'apiserver', to: 'scheduler', type: 'sys.ping', payload: { n: 1 }, corr: 'apiserver#1', at: 0 };
  raw.post([{ k: 'env', m: 'req', to: 'scheduler', from: 'apiserver', corr: 'apiserver#1', buf: bytes(forged) }]);
  // Registered kubelet.b, but the bytes say apiserver: the header and the envelope disagree.
  raw.post([{ k: 'reg', a: NODE_ADDRESS }, { k: 'env', m: 'msg', to: 'scheduler', from: NODE_ADDRESS, buf: bytes({ ...forged, corr: undefined } as never) }]);
  // A registration outside the identity's claims is refused too.
  raw.post([{ k: 'reg', a: 'apiserver' }]);
  await eventually(() => raw.got.length >= 2, { timeoutMs: 3000, intervalMs: 2, what: 'answers' });
  const fail = raw.got.find((f) => f.k === 'fail');
  assert.ok(fail && fail.k === 'fail' && fail.status.code === 403 && fail.to === 'apiserver', 'the forged request got a 403');
  assert.ok(raw.got.some((f) => f.k === 'refused' && f.a === 'apiserver'));
  assert.equal(got, [], 'the scheduler never saw a forged envelope');
  assert.is(a.stats().rejected.forged, 2);
  assert.equal(rejects, ['forged', 'forged', 'forbidden']);
  raw.port.close();
});

t('a worker cannot end another actor\'s request with a failure frame: counted forged, the request stays open for its real answer', async ({ a, rejects }) => {
  const sched = a.register('scheduler', () => {});
  const raw = rawWorker(a);
  raw.post([{ k: 'reg', a: NODE_ADDRESS }]);
  // Routed once a request is no longer 503 (it reaches the raw worker, which does not answer it).
  await eventually(async () => {
    const r = await sched.request(NODE_ADDRESS, 'sys.ping', { n: 0 }, { timeoutMs: 20 });
    return !r.ok && r.status.code === 503 ? null : true;
  }, { timeoutMs: 3000, intervalMs: 5, what: 'the worker\'s address routed' });
  const answer = sched.request(NODE_ADDRESS, 'sys.ping', { n: 1 });
  const asksOne = (f: Frame): boolean => f.k === 'env' && f.m === 'req' && ((codec.decode(new Uint8Array(f.buf)) as Envelope).payload as { n: number }).n === 1;
  const req = await eventually(() => raw.got.find(asksOne), { timeoutMs: 3000, intervalMs: 2, what: 'the request reached the worker' });
  const corr = req.k === 'env' ? req.corr! : '';
  // Hostile: a failure for the request, as if the main thread had refused it.
  raw.post([{ k: 'fail', to: 'scheduler', corr, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'forged', reason: 'InternalError', code: 500 } as never, nores: false }]);
  await eventually(() => a.stats().rejected.forged === 1, { timeoutMs: 3000, intervalMs: 2, what: 'the fail frame counted forged' });
  raw.post([{ k: 'env', m: 'reply', to: 'scheduler', from: NODE_ADDRESS, corr, buf: bytes({ seq: 2, from: NODE_ADDRESS, to: 'scheduler', type: REPLY, payload: ok({ address: NODE_ADDRESS, n: 1 }), corr, at: 0 } as Envelope) }]);
  assert.equal(await answer, ok({ address: NODE_ADDRESS, n: 1 }), 'the real answer, not the forged failure');
  assert.equal(rejects, ['forged']);
  raw.port.close();
});

t('payloads crossing the boundary are checked against the catalogue; the actor keeps serving', async ({ a, rejects }) => {
  const { got } = responder(a, 'scheduler');
  const raw = rawWorker(a);
  const good = (over: Partial<Envelope>): Envelope => ({ seq: 1, from: NODE_ADDRESS, to: 'scheduler', type: 'sys.ping', payload: { n: 1 }, corr: `${NODE_ADDRESS}#1`, at: 0, ...over });
  const cases: [RejectCause, ArrayBuffer, string][] = [
    ['malformed', new Uint8Array([1, 0xc1, 0xff, 0x13]).buffer, '#1'],
    ['versionMismatch', Uint8Array.of(9, ...new Uint8Array(bytes(good({ corr: `${NODE_ADDRESS}#2` }))).subarray(1)).buffer, '#2'],
    ['unknownType', bytes(good({ type: 'sys.nonsense', corr: `${NODE_ADDRESS}#3` })), '#3'],
    ['badPayload', bytes(good({ payload: { n: 'one' }, corr: `${NODE_ADDRESS}#4` })), '#4'],
  ];
  raw.post([{ k: 'reg', a: NODE_ADDRESS }, ...cases.map(([, buf, c]): Frame => ({ k: 'env', m: 'req', to: 'scheduler', from: NODE_ADDRESS, corr: `${NODE_ADDRESS}${c}`, buf }))]);
  raw.post([{ k: 'env', m: 'req', to: 'scheduler', from: NODE_ADDRESS, corr: `${NODE_ADDRESS}#5`, buf: bytes(good({ corr: `${NODE_ADDRESS}#5`, payload: { n: 5 } })) }]);
  await eventually(() => raw.got.length === 5, { timeoutMs: 3000, intervalMs: 2, what: 'four refusals and one reply' });
  assert.equal(rejects, cases.map(([c]) => c));
  const fails = raw.got.filter((f) => f.k === 'fail');
  assert.equal(fails.map((f) => f.k === 'fail' && [f.corr, f.status.code]), cases.map(([, , c]) => [`${NODE_ADDRESS}${c}`, 400]));
  const reply = raw.got.find((f) => f.k === 'env');
  assert.ok(reply && reply.k === 'env' && reply.m === 'reply');
  assert.equal((codec.decode(new Uint8Array(reply.buf)) as Envelope).payload, ok({ address: 'scheduler', n: 5 }));
  assert.equal(got.map((e) => (e.payload as { n: number }).n), [5], 'the actor saw only the good request');
  raw.port.close();
});

t('a reply of the wrong shape is refused with a 400 and counted', async () => {
  const s = workerSides();
  const kb: ReturnType<typeof s.b.register> = s.b.register(NODE_ADDRESS, (env) => kb.reply(env, ok({ nope: true }) as never));
  const p = s.a.register('scheduler', () => {});
  await s.sync();
  const r = await p.request(NODE_ADDRESS, 'sys.ping', { n: 1 });
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.status.code, 400);
  assert.is(s.a.stats().rejected.badPayload, 1);
  await s.close();
});

t('a worker cannot register outside its identity\'s claims', () => {
  const { port2 } = new MessageChannel();
  const b = WorkersBus.worker(port2, 'node-b');
  assert.throws(() => b.register('kubelet.c', () => {}), /may not hold/);
  assert.throws(() => b.register('apiserver', () => {}), /may not hold/);
  b.register('pod.any', () => {});
  port2.close();
});

t('a real worker thread: order, requests both ways, 503, 403, topics; the thread exits when its bus closes', async ({ a }) => {
  const notes: number[] = [];
  const sched = a.register('scheduler', (env) => {
    if (env.type === 'sys.note') notes.push((env.payload as { n: number }).n);
    if (env.type === 'sys.ping') sched.reply(env, ok({ address: 'scheduler', n: (env.payload as { n: number }).n }));
  });
  a.register('kv', () => {});
  const worker = startWorkerThread(a, new URL('./fixtures/worker-side.ts', import.meta.url), 'node-b', { notes: 3000 });
  const messages: unknown[] = [];
  worker.on('message', (m) => messages.push(m));
  const exited = new Promise<number>((res) => worker.on('exit', res));
  await eventually(() => messages.includes('ready'), { timeoutMs: 20_000, intervalMs: 5, what: 'the worker thread started' });
  await a.flush();
  assert.equal(await sched.request(NODE_ADDRESS, 'sys.ping', { n: 7 }), ok({ address: NODE_ADDRESS, n: 7 }));
  for (let n = 0; n < 3; n++) sched.publish('topic.nodes', 'sys.note', { n });
  sched.send(NODE_ADDRESS, 'sys.note', { n: -1 });
  await eventually(() => messages.length === 2, { timeoutMs: 10_000, intervalMs: 5, what: 'the worker\'s report' });
  const report = messages[1] as { refused: string; asked: Result<unknown>; nobody: Result<unknown>; kv: Result<unknown>; topic: number[] };
  assert.match(report.refused, /may not hold address "scheduler"/);
  assert.equal(report.asked, ok({ address: 'scheduler', n: 42 }));
  assert.equal(!report.nobody.ok && [report.nobody.status.code, report.nobody.status.reason], [503, 'ServiceUnavailable']);
  assert.equal(!report.kv.ok && report.kv.status.code, 403);
  assert.equal(report.topic, [0, 1, 2]);
  assert.equal(notes, Array.from({ length: 3000 }, (_, i) => i), 'in order');
  assert.is(await exited, 0, 'the thread ended on its own');
  // Its addresses went with it.
  const gone = await sched.request(NODE_ADDRESS, 'sys.ping', { n: 8 });
  assert.equal(!gone.ok && gone.status.code, 503);
});

t.run();
