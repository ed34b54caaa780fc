/**
 * Host-wide claims on pod ranges. Process pods bind their pod IPs on this host's loopback,
 * so two clusters on one host must not hand out the same range. A process that runs nodes
 * records its range in `<tmpdir>/kubeactor-pod-cidrs/<range>.json` ({pid, dataDir}); a claim
 * whose process is gone is stale and may be taken.
 *
 * Decision: the default range is not fixed but the first free /16 counting down from
 * 127.244.0.0/16 (down to 127.112.0.0/16, above the Service range 127.96.0.0/12), and a data
 * dir remembers the range it got (`<data-dir>/pod-cidr`), so a restarted cluster keeps its
 * pods' addresses while a second cluster beside it gets its own. A range given with
 * `--cluster-cidr` is used as given; a live claim by another data dir is only warned about.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_CIDR } from './node-pool.ts';

interface Claim {
  pid: number;
  dataDir: string;
}

export interface ClaimedRange {
  cidr: string;
  /** Set when the range is also claimed by a live process with another data dir. */
  conflict?: string;
  /** Gives the claim back (best effort; a claim of a dead process is stale anyway). */
  release(): void;
}

const LOWEST_SECOND_OCTET = 112;

/** The claims directory; `KUBEACTOR_CIDR_CLAIMS` moves it (specs keep theirs apart). */
export function claimsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEACTOR_CIDR_CLAIMS ?? join(tmpdir(), 'kubeactor-pod-cidrs');
}

/**
 * Claims a pod range for `dataDir`: `asked` as given, or else the range this data dir had,
 * or else the first /16 no live process holds, from the default down.
 */
export function claimPodRange(dataDir: string, asked: string | undefined, dir = claimsDir()): ClaimedRange {
  mkdirSync(dir, { recursive: true, mode: 0o1777 });
  if (asked !== undefined) {
    const holder = liveHolder(dir, asked, dataDir);
    take(dir, asked, dataDir);
    return { cidr: asked, ...(holder ? { conflict: `pod range ${asked} is also used by a kubeactor with data dir ${holder.dataDir} (pid ${holder.pid}): pod IPs will collide` } : {}), release: () => release(dir, asked) };
  }
  const remembered = readRemembered(dataDir);
  for (const cidr of candidates(remembered)) {
    if (liveHolder(dir, cidr, dataDir)) continue;
    take(dir, cidr, dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, 'pod-cidr'), `${cidr}\n`, { mode: 0o600 });
    return { cidr, release: () => release(dir, cidr) };
  }
  throw new Error(`no free pod range: every /16 from ${DEFAULT_CLUSTER_CIDR} down to 127.${LOWEST_SECOND_OCTET}.0.0/16 is claimed by a running kubeactor; give one with --cluster-cidr`);
}

function* candidates(remembered: string | undefined): Generator<string> {
  if (remembered) yield remembered;
  const top = Number(DEFAULT_CLUSTER_CIDR.split('.')[1]);
  for (let o = top; o >= LOWEST_SECOND_OCTET; o--) yield `127.${o}.0.0/16`;
}

function readRemembered(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, 'pod-cidr'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const fileOf = (dir: string, cidr: string) => join(dir, `${cidr.replace('/', '-')}.json`);

/** The claim on `cidr` by a live process for another data dir, if any. */
function liveHolder(dir: string, cidr: string, dataDir: string): Claim | undefined {
  let claim: Claim;
  try {
    claim = JSON.parse(readFileSync(fileOf(dir, cidr), 'utf8')) as Claim;
  } catch {
    return undefined;
  }
  if (claim.dataDir === dataDir || claim.pid === process.pid || !alive(claim.pid)) return undefined;
  return claim;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function take(dir: string, cidr: string, dataDir: string): void {
  // Write then rename: a reader never sees half a claim.
  const tmp = `${fileOf(dir, cidr)}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, dataDir } satisfies Claim));
  renameSync(tmp, fileOf(dir, cidr));
}

function release(dir: string, cidr: string): void {
  try {
    const claim = JSON.parse(readFileSync(fileOf(dir, cidr), 'utf8')) as Claim;
    if (claim.pid === process.pid) rmSync(fileOf(dir, cidr), { force: true });
  } catch { /* already gone */ }
}
