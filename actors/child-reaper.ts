import type { ChildProcess } from 'node:child_process';

/** Children started by this process that are still alive. */
const alive = new Set<ChildProcess>();
let installed = false;

/**
 * Makes sure `child` (a nats-server, an etcd member) does not outlive this process: it is
 * SIGKILLed when the process exits, or when SIGINT/SIGTERM is about to end it (the signal
 * is then raised again, so the process still dies of it). A child that exits on its own is
 * forgotten.
 */
export function reapOnExit(child: ChildProcess): void {
  if (!installed) {
    installed = true;
    const killAll = (): void => {
      for (const c of alive) c.kill('SIGKILL');
    };
    process.on('exit', killAll);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        killAll();
        process.kill(process.pid, sig);
      });
    }
  }
  alive.add(child);
  child.once('exit', () => alive.delete(child));
}
