/**
 * Host-wide claims on address ranges that processes bind on this host's loopback: pod IPs
 * (process pods listen on them), ClusterIPs (kube-proxy), node IPs (kube-proxy's NodePorts) and load-balancer IPs
 * (the cloud provider's listeners). Two
 * clusters on one host must not hand out the same range. A process records its range in
 * `<tmpdir>/kubeactor-pod-cidrs/<range>.json` ({pid, dataDir}); a claim whose process is gone
 * is stale and may be taken.
 *
 * Decision: a default range is not fixed but the first free one of its kind's candidates
 * (pods: /16s counting down from 127.244.0.0/16 to 127.112.0.0/16, above the Service range;
 * Services: /12s counting down from 127.96.0.0/12 to 127.16.0.0/12; nodes: /16s from 127.0.0.0/16 to 127.15.0.0/16; load balancers: /24s from 127.0.2.0/24 to
 * 127.0.15.0/24), and a data dir remembers the range it got (`<data-dir>/pod-cidr`,
 * `<data-dir>/service-cidr`, `<data-dir>/node-range`, `<data-dir>/load-balancer-cidr`), so a restarted
 * cluster keeps its addresses while a second cluster beside it gets its own. A range given
 * with a flag is used as given; a live claim by another data dir is only warned about.
 */
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVICE_CIDR } from './apiserver/allocators.ts';
import { DEFAULT_LOAD_BALANCER_CIDR } from './controllers/cloud-service/pool.ts';
import { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_RANGE } from './kubelet/node-pool.ts';

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

/** A kind of range: what it is called, the data-dir file that remembers it, the defaults in order. */
export interface RangeKind {
  name: string;
  /** The flag that sets it ('' when none does). */
  flag: string;
  file: string;
  candidates(): Iterable<string>;
}

const secondOctet = (cidr: string): number => Number(cidr.split('.')[1]);
const thirdOctet = (cidr: string): number => Number(cidr.split('.')[2]);

export const POD_RANGES: RangeKind = {
  name: 'pod range',
  flag: '--cluster-cidr',
  file: 'pod-cidr',
  *candidates() {
    for (let o = secondOctet(DEFAULT_CLUSTER_CIDR); o >= 112; o--) yield `127.${o}.0.0/16`;
  },
};

export const SERVICE_RANGES: RangeKind = {
  name: 'Service range',
  flag: '--service-cluster-ip-range',
  file: 'service-cidr',
  *candidates() {
    for (let o = secondOctet(DEFAULT_SERVICE_CIDR); o >= 16; o -= 16) yield `127.${o}.0.0/12`;
  },
};

export const NODE_RANGES: RangeKind = {
  name: 'node address range',
  flag: '',
  file: 'node-range',
  *candidates() {
    for (let o = secondOctet(DEFAULT_NODE_RANGE); o <= 15; o++) yield `127.${o}.0.0/16`;
  },
};

export const LOAD_BALANCER_RANGES: RangeKind = {
  name: 'load-balancer range',
  flag: '--load-balancer-cidr',
  file: 'load-balancer-cidr',
  *candidates() {
    for (let o = thirdOctet(DEFAULT_LOAD_BALANCER_CIDR); o <= 15; o++) yield `127.0.${o}.0/24`;
  },
};

/** The claims directory; `KUBEACTOR_CIDR_CLAIMS` moves it (specs keep theirs apart). */
export function claimsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEACTOR_CIDR_CLAIMS ?? join(tmpdir(), 'kubeactor-pod-cidrs');
}

/**
 * Claims a range of `kind` for `dataDir`: `asked` as given, or else the range this data dir
 * had, or else the first candidate no live process holds.
 */
export function claimRange(kind: RangeKind, dataDir: string, asked: string | undefined, dir = claimsDir()): ClaimedRange {
  openClaimsDir(dir);
  if (asked !== undefined) {
    const holder = liveHolder(dir, asked, dataDir);
    try {
      take(dir, asked, dataDir);
    } catch { /* another user's claim file: the range is used as asked all the same */ }
    return { cidr: asked, ...(holder ? { conflict: `${kind.name} ${asked} is also used by a kubeactor with data dir ${holder.dataDir} (pid ${holder.pid}): addresses will collide` } : {}), release: () => release(dir, asked) };
  }
  const remembered = readRemembered(dataDir, kind.file);
  for (const cidr of [...(remembered ? [remembered] : []), ...kind.candidates()]) {
    if (liveHolder(dir, cidr, dataDir) || !takeFree(dir, cidr, dataDir)) continue;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, kind.file), `${cidr}\n`, { mode: 0o600 });
    return { cidr, release: () => release(dir, cidr) };
  }
  throw new Error(`no free ${kind.name}: every default one is claimed by a running kubeactor; ${kind.flag ? `give one with ${kind.flag}` : 'stop one of them'}`);
}

function readRemembered(dataDir: string, file: string): string | undefined {
  try {
    return readFileSync(join(dataDir, file), 'utf8').trim() || undefined;
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

/**
 * The claims directory is shared by every user on the host: world-writable and sticky, as
 * /tmp is (mkdir's mode goes through the umask, so it is set again).
 */
function openClaimsDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o1777 });
  try {
    if ((statSync(dir).mode & 0o7777) !== 0o1777) chmodSync(dir, 0o1777);
  } catch { /* made by another user: theirs to open */ }
}

function take(dir: string, cidr: string, dataDir: string): void {
  // Write then rename: a reader never sees half a claim.
  const tmp = `${fileOf(dir, cidr)}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, dataDir } satisfies Claim));
  renameSync(tmp, fileOf(dir, cidr));
}

/**
 * Takes a range no live process holds. A free one is created with link(2), which fails when
 * the file exists, so two clusters starting at the same moment cannot both get it; a stale
 * claim (its process gone, or this data dir's) is replaced. False when another process won.
 */
function takeFree(dir: string, cidr: string, dataDir: string): boolean {
  const tmp = `${fileOf(dir, cidr)}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, dataDir } satisfies Claim));
  try {
    linkSync(tmp, fileOf(dir, cidr));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (liveHolder(dir, cidr, dataDir)) return false;
    try {
      renameSync(tmp, fileOf(dir, cidr));
    } catch {
      // A stale claim of another user in the sticky directory cannot be replaced: try the next range.
      return false;
    }
    return true;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function release(dir: string, cidr: string): void {
  try {
    const claim = JSON.parse(readFileSync(fileOf(dir, cidr), 'utf8')) as Claim;
    if (claim.pid === process.pid) rmSync(fileOf(dir, cidr), { force: true });
  } catch { /* already gone */ }
}
