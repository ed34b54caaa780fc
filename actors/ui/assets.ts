/**
 * The browser app, bundled by esbuild from ui/app/main.ts and the npm packages it imports
 * (elkjs for the chart layout): nothing is fetched from the internet at run time. The
 * bundle is cached on disk under the OS temp directory, keyed by a hash of the sources and
 * of esbuild's and elkjs's versions, so only the first start after a change pays the build.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The folders whose sources make up the app. */
const SOURCES = ['ui/app', 'ui/chart'];

export interface UiAssets {
  /** The bundled script. */
  js: string;
  css: string;
  /** The key it was cached under. */
  hash: string;
}

function files(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|css)$/.test(n)) out.push(p);
  }
  return out;
}

function sourceHash(): string {
  const require = createRequire(import.meta.url);
  const h = createHash('sha256');
  for (const pkg of ['esbuild', 'elkjs']) h.update(`${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}\n`);
  for (const dir of SOURCES) for (const f of files(join(ROOT, dir))) h.update(f.slice(ROOT.length)).update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

let memo: Promise<UiAssets> | undefined;

/** The app's assets: from the cache, or bundled now (once per process). */
export function uiAssets(cacheDir = join(tmpdir(), 'kubeactor-ui')): Promise<UiAssets> {
  return (memo ??= build(cacheDir));
}

async function build(cacheDir: string): Promise<UiAssets> {
  const hash = sourceHash();
  const css = readFileSync(join(ROOT, 'ui/app/app.css'), 'utf8');
  const cached = join(cacheDir, `app-${hash}.js`);
  try {
    return { js: readFileSync(cached, 'utf8'), css, hash };
  } catch {
    /* not built yet */
  }
  const { build: esbuild } = await import('esbuild');
  const out = await esbuild({
    entryPoints: [join(ROOT, 'ui/app/main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    // elk.bundled.js probes for web-worker in node; the browser never takes that branch.
    external: ['web-worker'],
  });
  const js = out.outputFiles[0]!.text;
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  // Written whole then renamed: two processes starting at once never read half a bundle.
  const tmp = `${cached}.${process.pid}`;
  writeFileSync(tmp, js);
  renameSync(tmp, cached);
  // Bundles of earlier sources are not needed again (a process reads its bundle once, at start).
  for (const f of readdirSync(cacheDir)) if (/^app-[0-9a-f]+\.js$/.test(f) && join(cacheDir, f) !== cached) rmSync(join(cacheDir, f), { force: true });
  return { js, css, hash };
}
