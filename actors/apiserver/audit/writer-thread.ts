/**
 * The audit log's writer thread (started by writer.ts): puts together the lines of the
 * batches the apiserver's thread sends and writes them with AuditLog — batching, rotation and
 * failures as in that thread. Each hand-over is answered once its lines are in the file.
 */
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { AuditLog } from './log.ts';
import type { FromWriter, ToWriter, WriterThreadData } from './writer.ts';

/**
 * This thread yields the CPU to every other thread of the process (Linux schedules threads as
 * tasks, each with its own nice value): its lines can wait in their buffers, the request path
 * cannot. On two cores, the writer at the main thread's priority took the core the collector's
 * helper threads use, and density's mutating-call p99 paid for it. Elsewhere it is left as is.
 */
function yieldTheCpu(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, constants.priority.PRIORITY_LOW);
  } catch {
    // No /proc, or not allowed: the thread runs at the process's priority.
  }
}
yieldTheCpu();

const port = parentPort!;
const post = (m: FromWriter): void => port.postMessage(m);
const { options } = workerData as WriterThreadData;
const log = new AuditLog({ ...options, report: (message) => post({ type: 'report', message }) });
/** The decoder reads the stream from its start: every fragment is defined in it. */
const NO_DEFINITIONS: readonly string[] = [];

port.on('message', (m: ToWriter) => {
  if (m.type === 'batches') {
    log.send(m.batches, NO_DEFINITIONS);
    void log.flush().then(() => post({ type: 'written', seq: m.seq, errors: log.errors }));
  } else if (m.type === 'flush') {
    void log.flush().then(() => post({ type: 'done', id: m.id, errors: log.errors }));
  } else {
    void log.close().then(() => post({ type: 'done', id: m.id, errors: log.errors }));
  }
});
