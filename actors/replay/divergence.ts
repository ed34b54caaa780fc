import { brief, firstDifference, formatDifference, type Difference } from './diff.ts';

/** The first point where a replayed actor did not do what the log says it did. */
export interface Divergence {
  /** Position of the log entry where it shows (the expected output, or the input after which the actual one appeared). */
  i: number;
  actor: string;
  /** `output`: a different output; `missing`: an output the log has and the replay never produced; `extra`: the reverse; `snapshot`: a different persisted snapshot at a checkpoint; `timer`: a recorded firing with no due timer; `failed`: the replayed actor failed. */
  kind: 'output' | 'missing' | 'extra' | 'snapshot' | 'timer' | 'failed';
  message: string;
  expected?: unknown;
  actual?: unknown;
  diff?: Difference;
}

/** A divergence as the CLI prints it. */
export function formatDivergence(d: Divergence): string {
  const lines = [`divergence at seq ${d.i}, actor ${d.actor}: ${d.message}`];
  if (d.diff) lines.push(formatDifference(d.diff));
  else {
    if (d.expected !== undefined) lines.push(`  - expected: ${brief(d.expected, 400)}`);
    if (d.actual !== undefined) lines.push(`  + actual:   ${brief(d.actual, 400)}`);
  }
  return lines.join('\n');
}

/** Compares one output pair; null when equal. */
export function compareOutput(i: number, actor: string, what: string, expected: unknown, actual: unknown): Divergence | null {
  const diff = firstDifference(expected, actual);
  if (diff === null) return null;
  return { i, actor, kind: 'output', message: `${what} differs`, expected, actual, diff };
}
