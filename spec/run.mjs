#!/usr/bin/env node
// Runs every *.spec.ts under spec/ in its own Node process (cli/loader), two at a time
// (this machine has 2 cores), and ends with the plain line "N passed, N failed".
// Usage: node spec/run.mjs [substring-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LOADER = new URL('../cli/loader/register.mjs', import.meta.url).href;
const filters = process.argv.slice(2);
const jobs = Number(process.env.SPEC_JOBS ?? 2);
// A spec file that hangs is killed and counted as failed, so one hang cannot eat CI's time.
const fileTimeoutMs = Number(process.env.SPEC_FILE_TIMEOUT_S ?? 300) * 1000;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : walk(p);
    return name.endsWith('.spec.ts') ? [p] : [];
  });
}

const files = walk(join(root, 'spec'))
  .map((p) => relative(root, p))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

let passed = 0, failed = 0, skipped = 0;
const failures = [];

function runOne(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', LOADER, file], {
      cwd: root,
      // KUBEACTOR_FREEZE: the apiserver's cached objects are deep-frozen, so a spec fails where code changes a shared object.
      env: { ...process.env, FORCE_COLOR: '0', KUBEACTOR_FREEZE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let timedOut = false;
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, fileTimeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (timedOut) out += `\n(killed after ${fileTimeoutMs / 1000}s: the spec file did not finish)`;
      const num = (label) => Number(out.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
      const total = num('Total'), ok = num('Passed'), skip = num('Skipped');
      // A file that exits non-zero without a failed test, or that ran no test at all (nothing
      // passed, nothing skipped), is a failure: its tests never ran.
      const ranNothing = total === 0 && code === 0 && !timedOut;
      if (ranNothing) out += '\n(the spec file ran no test)';
      const bad = Math.max(total - ok - skip, 0) + ((code !== 0 || ranNothing) && total - ok - skip <= 0 ? 1 : 0);
      passed += ok; skipped += skip; failed += bad;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (bad > 0) {
        failures.push({ file, out });
        console.log(`FAIL ${file} (${ok}/${total} passed, exit ${code ?? signal}, ${secs}s)`);
      } else {
        console.log(`ok   ${file} (${ok} passed${skip ? `, ${skip} skipped` : ''}, ${secs}s)`);
      }
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  while (queue.length) await runOne(queue.shift());
}));

for (const f of failures) {
  console.log(`\n===== ${f.file} =====\n${f.out.trim()}`);
}
console.log(`\n${files.length} spec files`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
