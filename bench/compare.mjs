// `npm run bench -- NAME [args...] --compare REF [--rounds N]`: runs bench NAME on the current
// tree and on git ref REF (checked out in a temporary worktree that shares node_modules),
// alternating, N rounds (default 3), each run in its own process. One noisy machine weighs on
// both sides alike, so the ratio is the figure: it prints one JSON line with the medians of
// every numeric key on each side and `ratio` = current / REF per key.
import { execFileSync } from 'node:child_process';
import { spawnBench } from './child.mjs';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const log = (s) => process.stderr.write(`bench compare: ${s}\n`);

/** Runs bench `name` in tree `root`; resolves with its last stdout line parsed as JSON. */
function runBench(root, name, args) {
  return new Promise((resolve, reject) => {
    const child = spawnBench(root, name, args, ['ignore', 'pipe', 'inherit']);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`bench ${name} in ${root} exited ${code} without a JSON line`));
      }
    });
  });
}

/** Every numeric leaf of `o` as a dotted key (arrays and the anchor are left out: they are not measurements of this run). */
function numbers(o, prefix = '', into = {}) {
  for (const [k, v] of Object.entries(o ?? {})) {
    if (k === 'anchor' || k === 'machine' || Array.isArray(v)) continue;
    if (typeof v === 'number') into[prefix + k] = v;
    else if (v && typeof v === 'object') numbers(v, `${prefix}${k}.`, into);
  }
  return into;
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function compare(root, name, argv) {
  const args = [];
  let ref;
  let rounds = 3;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--compare') ref = argv[++i];
    else if (argv[i] === '--rounds') rounds = Math.max(1, Number(argv[++i]) || 1);
    else args.push(argv[i]);
  }
  if (!ref) throw new Error('--compare needs a git ref (a commit, branch or tag)');
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-bench-ref-'));
  const tree = join(dir, 'tree');
  execFileSync('git', ['worktree', 'add', '--detach', tree, sha], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  // A bench newer than REF measures REF's code with this tree's script (it imports REF's modules).
  const script = join('bench', `${name}.ts`);
  if (!existsSync(join(tree, script))) {
    copyFileSync(join(root, script), join(tree, script));
    log(`${script} is not in ${ref}: this tree's copy runs there`);
  }
  log(`${ref} (${sha.slice(0, 10)}) checked out in ${tree}; ${rounds} round(s) of ${name} ${args.join(' ')}`);
  const runs = { current: [], ref: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      // The order alternates so warm-up and neighbours weigh on both sides.
      for (const side of r % 2 === 0 ? ['ref', 'current'] : ['current', 'ref']) {
        log(`round ${r + 1}/${rounds}: ${side === 'ref' ? ref : 'current tree'}`);
        runs[side].push(numbers(await runBench(side === 'ref' ? tree : root, name, args)));
      }
    }
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
  const keys = [...new Set([...runs.current, ...runs.ref].flatMap((j) => Object.keys(j)))];
  const med = (side) => Object.fromEntries(keys.map((k) => [k, median(runs[side].map((j) => j[k]))]));
  const current = med('current');
  const base = med('ref');
  const ratio = Object.fromEntries(keys.filter((k) => current[k] !== null && base[k]).map((k) => [k, Math.round((current[k] / base[k]) * 1000) / 1000]));
  console.log(JSON.stringify({ bench: `${name}-compare`, ref, ref_commit: sha, rounds, args, method: 'each run in its own process, order alternating by round; medians per side; ratio = current / ref', current, ref_figures: base, ratio }));
}
