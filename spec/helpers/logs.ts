import type { LogEntry } from '../../actors/record/format.ts';
import type { ReadLog } from '../../actors/record/reader.ts';
import { LogWriter } from '../../actors/record/writer.ts';

/**
 * Writes `log` to `file` again with `victim` replaced by what `alter` makes of a copy of it
 * (its header kept), for specs that check `--verify` names exactly that entry.
 */
export function writeAltered(log: ReadLog, file: string, victim: LogEntry, alter: (copy: Record<string, unknown>) => void): void {
  const h = log.headers[0]!;
  const w = new LogWriter({ file, clusterId: h.clusterId, identity: h.identity, startedAt: h.startedAt, secrets: h.secrets });
  for (const e of log.entries) {
    const { n: _n, ...rest } = e === victim ? altered(e, alter) : e;
    w.append(rest as never);
  }
  w.close();
}

function altered(e: LogEntry, alter: (copy: Record<string, unknown>) => void): LogEntry {
  const copy = structuredClone(e);
  alter(copy as unknown as Record<string, unknown>);
  return copy;
}
