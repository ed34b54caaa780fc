#!/usr/bin/env node
// `npm run bench -- <name> [args...]`: runs bench/<name>.ts with the TypeScript loader (cli/loader). Each bench
// prints progress on stderr and ONE JSON line last on stdout. With `--compare REF [--rounds N]`
// the bench runs on this tree and on git ref REF alternately and prints the ratio (compare.mjs).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnBench } from './child.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = () => readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3));
if (!name || !existsSync(new URL(`./${name}.ts`, import.meta.url))) {
  console.error(`usage: npm run bench -- <name> [args...]\nbenches: ${available().join(', ') || '(none)'}`);
  process.exit(2);
}
if (args.includes('--compare')) {
  const { compare } = await import('./compare.mjs');
  await compare(root, name, args);
  process.exit(0);
}
const child = spawnBench(root, name, args, 'inherit');
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
