/**
 * kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files are written
 * into a fresh timestamped directory (`..2026_12_04_07_30_00.<random>`), then the `..data`
 * symlink is pointed at it in one rename, so a reader sees the old set or the new set,
 * never a mix. The names users see are symlinks through `..data` (`key → ..data/key`);
 * the previous timestamped directory is removed after the swap. A payload equal to what
 * is on disk (bytes and modes) writes nothing.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Payload } from '../../../machines/kubelet/volumes/payload.ts';

export const DATA_DIR_NAME = '..data';
const DATA_DIR_TMP_NAME = '..data_tmp';
const MAX_PATH_LENGTH = 4096;
const MAX_FILE_NAME_LENGTH = 255;

/** The atomic writer's own check of a payload path (its validatePath), or null when fine. */
export function payloadPathError(p: string): string | null {
  if (p === '') return `invalid path: must not be empty: ${JSON.stringify(p)}`;
  if (p.startsWith('/')) return `invalid path: must be relative path: ${p}`;
  if (p.length > MAX_PATH_LENGTH) return `invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`;
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${p}`;
    if (item.length > MAX_FILE_NAME_LENGTH) return `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`;
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) return `invalid path: must not start with '..': ${p}`;
  return null;
}

/** Go's time format "..2006_01_02_15_04_05." in UTC. */
function tsPrefix(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}

/** Files under `dir` as paths relative to it. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

async function sameAsOnDisk(tsDir: string, payload: Payload, onDisk: readonly string[]): Promise<boolean> {
  if (onDisk.length !== payload.size) return false;
  for (const [p, f] of payload) {
    const path = join(tsDir, p);
    const st = await stat(path).catch(() => null);
    if (!st || (st.mode & 0o777) !== f.mode) return false;
    const have = await readFile(path);
    if (!have.equals(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength))) return false;
  }
  return true;
}

/**
 * Writes `payload` into `targetDir` atomically; answers whether anything changed. Throws
 * (with the writer's message) on an invalid path.
 */
export async function writeAtomic(targetDir: string, payload: Payload, nowMs: number): Promise<boolean> {
  for (const p of payload.keys()) {
    const err = payloadPathError(p);
    if (err) throw new Error(err);
  }
  await mkdir(targetDir, { recursive: true });
  const dataLink = join(targetDir, DATA_DIR_NAME);
  const oldTs = await readlink(dataLink).catch(() => '');
  const oldFiles = oldTs ? await walk(join(targetDir, oldTs)).catch(() => []) : [];
  if (oldTs && (await sameAsOnDisk(join(targetDir, oldTs), payload, oldFiles))) return false;

  const tsDir = await mkdtemp(join(targetDir, tsPrefix(nowMs)));
  await chmod(tsDir, 0o755);
  for (const [p, f] of payload) {
    const file = join(tsDir, p);
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, f.data, { mode: f.mode });
    await chmod(file, f.mode);
  }
  const tmpLink = join(targetDir, DATA_DIR_TMP_NAME);
  await rm(tmpLink, { force: true });
  await symlink(tsDir.slice(targetDir.length + 1), tmpLink);
  await rename(tmpLink, dataLink);

  const visible = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
  for (const top of visible) {
    const link = join(targetDir, top);
    if (!(await lstat(link).catch(() => null))) await symlink(join(DATA_DIR_NAME, top), link);
  }
  if (oldTs) await rm(join(targetDir, oldTs), { recursive: true, force: true });
  for (const top of new Set(oldFiles.map((p) => p.split('/')[0]!))) {
    if (!visible.has(top)) await rm(join(targetDir, top), { recursive: true, force: true });
  }
  return true;
}
