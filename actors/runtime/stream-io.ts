import type { Writable } from 'node:stream';

/** Ends `w` (if not yet) and resolves once what was written is flushed, or the stream is gone. */
export function finished(w: Writable): Promise<void> {
  if (w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((res) => {
    w.once('finish', res);
    w.once('close', res);
    if (!w.writableEnded) w.end();
  });
}
