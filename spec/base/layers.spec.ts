/**
 * The layers' arrows, read from every file's import lines: base/ at the bottom imports
 * nothing; bus/ and api/ stand on base/ and never on each other or on the effects above;
 * machines/ (pure charts) import no effects, no bus and no Node builtins.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.(ts|mts)$/.test(name) ? [p] : [];
  });
}

const SPECIFIER = [
  /^\s*(?:import|export)\s+(?:type\s+)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+(?:\s*,\s*\{[^}]*\})?)\s+from\s+['"]([^'"]+)['"]/gm,
  /^\s*import\s+['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** What each file of `folder` imports: local ones as root-relative paths, packages as written. */
function importsOf(folder: string): { file: string; target: string }[] {
  return walk(join(root, folder)).flatMap((abs) => {
    const src = readFileSync(abs, 'utf8');
    const file = relative(root, abs);
    return SPECIFIER.flatMap((re) => [...src.matchAll(re)].map((m) => m[1] as string)).map((spec) => ({
      file,
      target: spec.startsWith('.') ? relative(root, resolve(dirname(abs), spec)) : spec,
    }));
  });
}

const under = (...folders: string[]) => (target: string) => folders.some((f) => target.startsWith(f + '/'));

function offending(folder: string, bad: (target: string) => boolean): string[] {
  return importsOf(folder).filter((i) => bad(i.target)).map((i) => `${i.file} → ${i.target}`);
}

test('base/ imports nothing but itself', () => {
  assert.equal(offending('base', (t) => !t.startsWith('base/')), []);
});

test('bus/ imports nothing from actors/, api/, machines/ or cli/', () => {
  assert.equal(offending('bus', under('actors', 'api', 'machines', 'cli')), []);
});

test('api/ imports nothing from bus/, actors/, machines/ or cli/', () => {
  assert.equal(offending('api', under('bus', 'actors', 'machines', 'cli')), []);
});

test('machines/ import no effects: not actors/, bus/, cli/, the real clock or a Node builtin', () => {
  const bad = (t: string) => under('actors', 'bus', 'cli')(t) || t === 'base/real-clock.ts' || t.startsWith('node:');
  assert.equal(offending('machines', bad), []);
});

test('the reader sees import lines (a guard against a regex that matches nothing)', () => {
  assert.ok(importsOf('bus').some((i) => i.target === 'base/envelope.ts'));
  assert.ok(importsOf('machines').some((i) => i.target === 'xstate'), 'packages are seen too');
});

test.run();
