/**
 * The audit log's writer thread (started by writer.ts): puts together the lines of the
 * batches the apiserver's thread sends and writes them with AuditLog — batching, rotation and
 * failures as in that thread. Each hand-over is answered once its lines are in the file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditLog } from './log.ts';
import type { FromWriter, ToWriter, WriterThreadData } from './writer.ts';

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
