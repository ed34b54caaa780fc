import type { LogEntry, LogHeader } from '../record/format.ts';
import { readLog } from '../record/reader.ts';

/** A log entry with its position `i` (1, 2, …) in the merged stream: the SEQ every replay tool takes and prints. */
export type Positioned = LogEntry & { i: number; src: number };

export interface LoadedLogs {
  entries: Positioned[];
  /** Per file, its parts' headers. */
  headers: LogHeader[][];
  warnings: string[];
  /** The first file's header (structures, secrets, cluster id). */
  header: LogHeader | undefined;
}

/**
 * Reads the logs of one run and merges them into one stream. One file (with its rotated
 * parts) keeps its order and its `i` equals its `n`. Several files — one per process in
 * NATS mode — are merged by time, then bus seq, then file order, each file's own order
 * kept (a k-way merge, never a sort that could reorder one process's entries).
 */
export function loadLogs(files: readonly string[]): LoadedLogs {
  const logs = files.map((f) => readLog(f));
  const warnings = logs.flatMap((l) => l.warnings);
  const headers = logs.map((l) => l.headers);
  for (const l of logs) if (l.headers.length === 0) warnings.push(`${l.file}: nothing readable`);
  const header = headers.find((h) => h.length > 0)?.[0];
  if (logs.length === 1) {
    // One file keeps its order: its entries are positioned where they are (a copy of each was
    // 36 MB of a density log's 196,011 entries, and the decoded ones were garbage at once).
    const entries = logs[0]!.entries as Positioned[];
    for (const e of entries) {
      e.i = e.n;
      e.src = 0;
    }
    return { entries, headers, warnings, header };
  }
  const heads = logs.map(() => 0);
  const entries: Positioned[] = [];
  for (;;) {
    let best = -1;
    for (let k = 0; k < logs.length; k++) {
      const e = logs[k]!.entries[heads[k]!];
      if (e === undefined) continue;
      const b = best < 0 ? undefined : logs[best]!.entries[heads[best]!]!;
      if (b === undefined || e.at < b.at || (e.at === b.at && seqOf(e) < seqOf(b))) best = k;
    }
    if (best < 0) break;
    const e = logs[best]!.entries[heads[best]!++]!;
    entries.push({ ...e, i: entries.length + 1, src: best });
  }
  return { entries, headers, warnings, header };
}

const seqOf = (e: LogEntry): number => (e.kind === 'msg' ? e.seq : Number.POSITIVE_INFINITY);
