import { readdirSync, readFileSync } from 'node:fs';

/**
 * Live processes whose command line contains `text` (every process-runtime sandbox's bwrap
 * names its state directory), as `pid: command line`: what a spec counts to check that no
 * process it started is left behind.
 */
export function processesNaming(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(text)) out.push(`${pid}: ${cmd.replaceAll('\0', ' ').slice(0, 120)}`);
    } catch { /* gone */ }
  }
  return out;
}
