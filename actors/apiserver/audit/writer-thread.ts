/**
 * The audit log's writer thread (started by writer.ts): puts together the lines of the
 * batches the apiserver's thread sends and writes them with AuditLog — batching, rotation and
 * failures as in that thread. Each hand-over is answered once its lines are in the file.
 */
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { AuditLog } from './log.ts';
import type { Batch } from './wire.ts';
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
/**
 * What waits is bounded in the apiserver's thread (as encoded events: AuditWriterThread);
 * here the lines only wait for the disk, so this log never drops for want of room. A hand-over
 * holds everything encoded while the last one was written — several times its bytes once spelled
 * out —, and decoded at once it went past the log's bound: a burst lost half its lines (the audit
 * bench's 100,000 requests: 103,768 lines of 200,000).
 */
const log = new AuditLog({ ...options, maxBufferedBytes: Infinity, report: (message) => post({ type: 'report', message }) });
/** The decoder reads the stream from its start: every fragment is defined in it. */
const NO_DEFINITIONS: readonly string[] = [];
/** Lines waiting for the file past which the next batch (a wire chunk's lines at most) waits for them to be written. */
const WAIT_BYTES = 4 * 1024 * 1024;

async function write(batches: Batch[]): Promise<void> {
  for (const b of batches) {
    if (log.pendingBytes > WAIT_BYTES) await log.flush();
    log.send([b], NO_DEFINITIONS);
  }
  await log.flush();
}

/** The messages in order: a flush or close is answered after the hand-overs before it are written. */
let turn: Promise<void> = Promise.resolve();
port.on('message', (m: ToWriter) => {
  turn = turn.then(async () => {
    if (m.type === 'batches') {
      await write(m.batches);
      post({ type: 'written', seq: m.seq, errors: log.errors });
    } else {
      await (m.type === 'flush' ? log.flush() : log.close());
      post({ type: 'done', id: m.id, errors: log.errors });
    }
  });
});
