/**
 * The apiserver's audit: the policy (--audit-policy-file) deciding each request's level and
 * stages, and the backend its events go to. One Auditor serves the HTTP front, which logs
 * REST requests, and the apiserver actor, which logs the bus requests of components; every
 * request is logged by exactly one of them.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { PolicyChecker } from '../../../api/audit/checker.ts';
import { parsePolicy, PolicyError } from '../../../api/audit/policy.ts';
import { LEVELS, type AuditAttributes, type AuditDecision, type Level, type Policy } from '../../../api/audit/types.ts';
import { AuditLog, type AuditBackend, type AuditLogOptions, type AuditSink } from './log.ts';
import { AUDIT_FRAGMENTS, AuditRecord, type AuditEmitter, type AuditStart } from './record.ts';
import { DirectEncoder } from './direct.ts';
import { AuditEncoder, AuditId, type LineEncoder } from './wire.ts';
import { AuditWriterThread } from './writer.ts';

export { AuditRecord, DECISION_ANNOTATION, REASON_ANNOTATION, type AuditStart, type RequestAudit } from './record.ts';

export class Auditor {
  readonly #checker: PolicyChecker;
  readonly #backend: AuditBackend | AuditSink;
  readonly #now: () => number;
  #events = 0;
  /** Requests begun by level (an object, not a Map: every request counts). */
  readonly #byLevel: Record<Level, number> = { None: 0, Metadata: 0, Request: 0, RequestResponse: 0 };
  /**
   * Records write their lines here: spelled out at once where this thread writes them (the file
   * log in this thread, a line backend: direct.ts), or encoded for a writer thread (wire.ts),
   * which takes them once per turn.
   */
  readonly #enc: LineEncoder;
  readonly #emitter: AuditEmitter;
  #scheduled = false;
  readonly #kick = (): void => this.#send();

  /**
   * `backend` takes the encoded lines in batches (AuditSink: the file log, in a writer thread or
   * this one) or one string at a time (AuditBackend). `now` gives the events' timestamps in ms
   * (default: the wall clock, to the microsecond).
   */
  constructor(policy: Policy, backend: AuditBackend | AuditSink, now: () => number = () => performance.timeOrigin + performance.now()) {
    this.#checker = new PolicyChecker(policy);
    this.#backend = backend;
    this.#now = now;
    this.#enc = encoderFor(backend);
    this.#emitter = { enc: this.#enc, emitted: () => this.#emitted() };
  }

  /** Starts a request's record (its RequestReceived event is written), or null when the policy says None. */
  begin(start: Omit<AuditStart, 'auditID'> & { auditID?: string }, now: () => number = this.#now): AuditRecord | null {
    const decision = this.#checker.decide(start.attrs);
    if (decision.level === 'None') return null;
    this.counted(decision.level);
    return new AuditRecord(start, start.auditID ?? AuditId.random(), decision, this.#emitter, now);
  }

  /** The policy's decision for a request (for a record made apart: BusRecord). */
  decide(attrs: AuditAttributes): AuditDecision {
    return this.#checker.decide(attrs);
  }

  /** No rule of the policy names objects: requests that differ only in their object's name are decided alike. */
  get nameBlind(): boolean {
    return this.#checker.nameBlind;
  }

  /** Where records write their lines. */
  get emitter(): AuditEmitter {
    return this.#emitter;
  }

  /** A request was begun at `level` (apiserver_audit_level_total). */
  counted(level: Level): void {
    this.#byLevel[level]++;
  }

  /** apiserver_audit_event_total, apiserver_audit_error_total and apiserver_audit_level_total, in the exposition format. */
  renderMetrics(): string {
    const levels = LEVELS.filter((l) => this.#byLevel[l] > 0).sort().map((l) => `apiserver_audit_level_total{level="${l}"} ${this.#byLevel[l]}\n`).join('');
    return [
      '# HELP apiserver_audit_error_total [ALPHA] Counter of audit events that failed to be audited properly. Plugin identifies the plugin affected by the error.\n',
      '# TYPE apiserver_audit_error_total counter\n',
      `apiserver_audit_error_total{plugin="log"} ${this.#backend.errors}\n`,
      '# HELP apiserver_audit_event_total [ALPHA] Counter of audit events generated and sent to the audit backend.\n',
      '# TYPE apiserver_audit_event_total counter\n',
      `apiserver_audit_event_total ${this.#events}\n`,
      '# HELP apiserver_audit_level_total [ALPHA] Counter of policy levels for audit events (1 per request).\n',
      '# TYPE apiserver_audit_level_total counter\n',
      levels,
    ].join('');
  }

  /** Writes what is buffered: resolves when every event so far is in the log. */
  flush(): Promise<void> {
    this.#send();
    return this.#backend.flush();
  }

  /** Flushes and closes the log (and stops its writer thread). */
  close(): Promise<void> {
    this.#send();
    return this.#backend.close();
  }

  #emitted(): void {
    this.#events++;
    // One hand-over per turn of the event loop (the lines of the requests served in it), where they are instructions for a thread.
    if (this.#scheduled || !this.#enc.pending) return;
    this.#scheduled = true;
    setImmediate(this.#kick);
  }

  #send(): void {
    this.#scheduled = false;
    if (!isSink(this.#backend) || !this.#enc.pending) return;
    this.#backend.send(this.#enc.take(), this.#enc.definitions);
  }
}

const isSink = (b: AuditBackend | AuditSink): b is AuditSink => 'send' in b;

/** Where records write for `backend`: spelled out in this thread unless a writer thread spells them. */
function encoderFor(backend: AuditBackend | AuditSink): LineEncoder {
  if (backend instanceof AuditLog) return new DirectEncoder(AUDIT_FRAGMENTS, backend.taken);
  if (!isSink(backend)) return new DirectEncoder(AUDIT_FRAGMENTS, (bytes, start, end) => backend.write(bytes.toString('utf8', start, end)));
  return new AuditEncoder(AUDIT_FRAGMENTS);
}

/** The audit flags of `kubeactor up`, as kube-apiserver names them. */
export interface AuditFlags {
  policyFile?: string;
  logPath?: string;
  maxSizeMB?: number;
  maxBackups?: number;
  maxAgeDays?: number;
}

/**
 * The Auditor the flags ask for, or null: no policy file, no audit (as kube-apiserver); a
 * policy without --audit-log-path has nowhere to write, so no audit either. A policy that
 * cannot be read or is invalid throws PolicyError with kube-apiserver's words.
 */
export function auditorFromFlags(f: AuditFlags, log: Partial<AuditLogOptions> = {}): Auditor | null {
  if (!f.policyFile) return null;
  let text: string;
  try {
    text = readFileSync(f.policyFile, 'utf8');
  } catch (err) {
    throw new PolicyError(`loading audit policy file: failed to read file path "${f.policyFile}": ${(err as Error).message}`);
  }
  let policy: Policy;
  try {
    policy = parsePolicy(text);
  } catch (err) {
    if (err instanceof PolicyError) throw new PolicyError(`loading audit policy file: ${err.message}: from file ${f.policyFile}`);
    throw err;
  }
  if (!f.logPath) return null;
  const o: AuditLogOptions = {
    ...log,
    path: f.logPath,
    ...(f.maxSizeMB !== undefined ? { maxSizeMB: f.maxSizeMB } : {}),
    ...(f.maxBackups !== undefined ? { maxBackups: f.maxBackups } : {}),
    ...(f.maxAgeDays !== undefined ? { maxAgeDays: f.maxAgeDays } : {}),
  };
  return new Auditor(policy, auditLog(o));
}

/**
 * The fewest cores on which a file is written by a thread of its own. With two, the second core
 * is where V8's collector helpers run, and a writer thread beside them bought nothing: density
 * (100 nodes, 3,000 pods) audited at Metadata, this thread writing against the writer thread —
 * ten alternating rounds: every thread's CPU 0.973×, mutating calls a second 1.018×, peak RSS
 * 0.919×; fourteen more: equal within their noise (calls a second 1.01×, p99 1.013×), the
 * thread's peak RSS 1.076× this thread's.
 */
export const WRITER_THREAD_MIN_CPUS = 3;

/**
 * The log `up` writes: a file by a thread of its own (lines put together and written off the
 * request path) where there are cores for it; stdout, a log given its own clock, or any log on
 * fewer than WRITER_THREAD_MIN_CPUS cores by this thread.
 */
export function auditLog(o: AuditLogOptions, cpus = availableParallelism()): AuditSink {
  return o.path === '-' || o.now || cpus < WRITER_THREAD_MIN_CPUS ? new AuditLog(o) : new AuditWriterThread(o);
}
