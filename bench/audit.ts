/**
 * The audit of bus requests alone: density's mix of component requests (the ReplicaSet
 * controller's pod creates, the scheduler's bindings, a kubelet's two status patches and a
 * Lease renewal per pod) through the apiserver's BusAudit, Auditor and file log at level
 * Metadata, `--per-turn` requests per turn of the event loop (as the apiserver serves a few per
 * turn under load; 0: all in one turn). Prints the CPU per request (user and system, every
 * thread: the log's writes run in the thread pool, its lines are made in the writer thread),
 * the main thread's CPU per request (what the requests' thread spends on the audit), and a hash of the log with the audit IDs masked, so two trees
 * that must write the same lines can be compared (`npm run bench -- audit --compare REF`).
 *
 * `--log file` (default) writes the file as `up` does (a writer thread where the tree has one);
 * `--log inline` writes it from the main thread (AuditLog); the two must hash alike.
 *
 * With `--log memory` the events are encoded for the log's writer and dropped (no thread, no file, no hash):
 * the record path alone. (Counting its instructions under `valgrind --tool=callgrind` at two values of
 * `--pods` was tried in session 23 and does not work: the JIT's threads are counted too, and two runs
 * of the same 500 pods differed by more than the whole per-request difference.)
 *
 * Usage: npm run bench -- audit [--pods 6000] [--rounds 5] [--per-turn 5] [--log file|inline|memory]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Auditor } from '../actors/apiserver/audit/auditor.ts';
import { AuditLog } from '../actors/apiserver/audit/log.ts';
import { BusAudit } from '../actors/apiserver/audit/bus.ts';
import { userForAddress } from '../actors/apiserver/identity.ts';
import type { RequestVerb } from '../actors/apiserver/node-authorizer.ts';
import type { Envelope } from '../base/envelope.ts';
import type { Result } from '../base/status.ts';
import { parsePolicy } from '../api/audit/policy.ts';
import type { AuditBackend, AuditSink } from '../actors/apiserver/audit/log.ts';
import { arg, argText, machine, round } from './_cluster.ts';

const PODS = arg('pods', 6000);
const ROUNDS = arg('rounds', 5);
const PER_TURN = arg('per-turn', 5);
/** `file` (default): the file log as `up` writes it; `inline`: the file written by this thread; `memory`: events encoded for the writer and dropped. */
const LOG = argText('log', 'file');
const POLICY = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n');

type Request = { env: Envelope; verb: RequestVerb; result: Result<unknown> };

function requests(): Request[] {
  const out: Request[] = [];
  const env = (from: string, type: string, payload: unknown): Envelope => ({ seq: 0, from, to: 'apiserver', type, payload, corr: 'c', at: 0 }) as Envelope;
  for (let i = 0; i < PODS; i++) {
    const rs = `dep-${i % 30}-5d8f9c7b6`;
    const name = `${rs}-${i.toString(36)}`;
    const node = `node-${i % 100}`;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, generateName: `${rs}-`, namespace: 'default', uid: `uid-${i}`, resourceVersion: String(1000 + i), labels: { app: rs }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: 'rs', controller: true }] }, spec: { containers: [{ name: 'c', image: 'pause' }], nodeName: node } };
    const pods = { group: '', version: 'v1', resource: 'pods', namespace: 'default' };
    const done = { ok: true, value: { object: pod } } as Result<unknown>;
    out.push({ env: env('controller.replicaset', 'api.create', { target: pods, object: pod }), verb: 'create', result: done });
    out.push({ env: env('scheduler', 'api.create', { target: { ...pods, name, subresource: 'binding' }, object: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: 'default', uid: `uid-${i}` }, target: { kind: 'Node', name: node } } }), verb: 'create', result: done });
    for (const phase of ['Pending', 'Running']) out.push({ env: env(`kubelet.${node}`, 'api.patch', { target: { ...pods, name, subresource: 'status' }, patch: { metadata: { uid: `uid-${i}` }, status: { phase } } }), verb: 'patch', result: done });
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: node, namespace: 'kube-node-lease', uid: `lease-${node}`, resourceVersion: String(5000 + i) }, spec: { holderIdentity: node } };
    out.push({ env: env(`kubelet.${node}`, 'api.update', { target: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease', name: node }, object: lease }), verb: 'update', result: { ok: true, value: { object: lease } } });
  }
  return out;
}

/** The log `up` would write to `file`: by a writer thread where this tree has one. */
async function fileLog(file: string): Promise<AuditBackend> {
  const options = { path: file, maxSizeMB: 100_000 };
  if (LOG === 'inline' || !existsSync(new URL('../actors/apiserver/audit/writer.ts', import.meta.url))) return new AuditLog(options);
  const { AuditWriterThread } = await import('../actors/apiserver/audit/writer.ts');
  return new AuditWriterThread(options) as unknown as AuditBackend;
}

/** Audits `reqs` `rounds` times into `file`; the CPU it took (every thread) and the main thread's busy time, in µs. */
async function run(reqs: Request[], file: string, rounds: number): Promise<{ cpu: number; main: number; dropped: number }> {
  let t = Date.parse('2026-12-05T21:00:00Z');
  const clock = { now: () => (t += 0.0137), setTimeout: () => 0, clearTimeout: () => {} };
  const backend = LOG === 'memory' ? memoryBackend() : await fileLog(file);
  const auditor = new Auditor(POLICY, backend);
  const bus = new BusAudit(auditor, clock as never);
  const m0 = threadCpu();
  const c0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    let k = 0;
    for (const q of reqs) {
      if (PER_TURN > 0 && ++k % PER_TURN === 0) await new Promise((res) => setImmediate(res));
      const p = q.env.payload as { target: { name?: string } };
      // As the apiserver's dispatch: the audit begun as the request comes, its record completed with the reply.
      const received = clock.now();
      const start = bus.begin(q.env, userForAddress(q.env.from), q.verb, p.target.name, received);
      bus.replied(start!, received, q.env, q.verb, 'allow', q.result);
    }
    await auditor.flush();
  }
  await auditor.close();
  const cpu = process.cpuUsage(c0);
  return { cpu: cpu.user + cpu.system, main: threadCpu() - m0, dropped: backend.errors };
}

/**
 * This thread's CPU time in µs: Linux's /proc/thread-self/schedstat (ns on the CPU), else the
 * event loop's active time (which counts waiting for a core too, so a loaded machine inflates it).
 */
function threadCpu(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  } catch {
    return performance.eventLoopUtilization().active * 1000;
  }
}

/** Drops the encoded events: what is measured is the record path's encoding alone. */
function memoryBackend(): AuditSink {
  return { send: () => {}, errors: 0, flush: async () => {}, close: async () => {} };
}

const reqs = requests();
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-bench-audit-'));
try {
  // A first pass warms the JIT; the measured passes write a fresh file.
  await run(reqs, join(dir, 'warm.log'), 1);
  rmSync(join(dir, 'warm.log'), { force: true });
  const file = join(dir, 'audit.log');
  const { cpu, main, dropped } = await run(reqs, file, ROUNDS);
  const text = LOG === 'memory' ? null : readFileSync(file, 'latin1');
  const n = reqs.length * ROUNDS;
  console.log(JSON.stringify({
    bench: 'audit',
    requests: n,
    per_turn: PER_TURN,
    cpu_us_per_request: round(cpu / n, 2),
    main_us_per_request: round(main / n, 2),
    log: LOG,
    ...(text === null ? {} : {
      log_bytes_per_request: round(text.length / n, 1),
      log_lines: text.split('\n').length - 1,
      // Events the log counted as not written (apiserver_audit_error_total): a burst past its bound.
      log_events_dropped: dropped,
      log_hash: createHash('sha256').update(text.replace(/"auditID":"[^"]*"/g, '"auditID":""')).digest('hex').slice(0, 16),
    }),
    machine: machine(),
    anchor: { note: 'kube-apiserver states no cost for its audit log backend; issue 17 asks that authorization and audit at Metadata cost density at most 5 %', source: 'kubernetes.io/docs/tasks/debug/debug-cluster/audit' },
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
