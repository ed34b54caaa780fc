#!/usr/bin/env node
// `npm run soak -- <name> [--seed N] [--scale X]`: the long runs of the fuzzers and the crash
// spec, not in CI. Each runs one property spec in its own Node process with a fresh seed
// (or --seed) and a larger scale, prints progress on stderr and ONE JSON line last on
// stdout: {"soak","seed","scale","ok","seconds"}. A failure prints fast-check's report:
// the seed, the path and the shrunk input; `--seed N` runs the same inputs again.
//   rest   100,000 random and mutated REST requests against an in-process core
//   nats   random bytes and mutated envelopes on every subject of a real nats-server (~75,000 messages)
//   kv     the kv backends (memory, lmdb) against the model, 50x the CI run
//   api    the api/ properties (patches, selectors, quantities, validation of every kind), 50x
//   crash  200 SIGKILLs of a writing kv on LMDB: every acknowledged write present, revisions never back
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LOADER = new URL('../cli/loader/register.mjs', import.meta.url).href;

/** Each soak: the spec files it runs and the environment that makes them long. */
const SOAKS = {
  rest: { files: ['spec/actors/apiserver/http/fuzz.property.spec.ts'], scale: 50 },
  nats: { files: ['spec/bus/nats-fuzz.property.spec.ts'], scale: 50 },
  kv: { files: ['spec/actors/kv/model.property.spec.ts'], scale: 50 },
  api: {
    files: ['spec/api/patch.property.spec.ts', 'spec/api/selectors-quantity.property.spec.ts', 'spec/api/validation.property.spec.ts'],
    scale: 50,
  },
  crash: { files: ['spec/actors/kv/crash.spec.ts'], scale: 1, env: () => ({ KV_CRASH_ROUNDS: '200', KV_CRASH_VERBOSE: '1' }) },
};

const [name, ...args] = process.argv.slice(2);
const soak = SOAKS[name];
if (!soak) {
  console.error(`usage: npm run soak -- <name> [--seed N] [--scale X]\nsoaks: ${Object.keys(SOAKS).join(', ')}`);
  process.exit(2);
}
const flag = (f) => {
  const i = args.indexOf(f);
  return i >= 0 ? args[i + 1] : undefined;
};
const seed = Number(flag('--seed') ?? process.env.FUZZ_SEED ?? randomInt(1, 2 ** 31 - 1));
const scale = Number(flag('--scale') ?? soak.scale);
const env = { ...process.env, FORCE_COLOR: '0', KUBEACTOR_FREEZE: '1', FUZZ_SEED: String(seed), FUZZ_SCALE: String(scale), KV_CRASH_SEED: String(seed), ...soak.env?.(scale) };
console.error(`soak ${name}: seed ${seed}, scale ${scale} (again: npm run soak -- ${name} --seed ${seed} --scale ${scale})`);

const started = Date.now();
let ok = true;
for (const file of soak.files) {
  // stdout too goes to stderr: the one line on stdout is the result.
  const child = spawn(process.execPath, ['--import', LOADER, file], { cwd: root, env, stdio: ['ignore', 2, 2] });
  const stop = () => child.kill('SIGTERM');
  process.once('SIGINT', stop);
  const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.off('SIGINT', stop);
  if (code !== 0) {
    ok = false;
    console.error(`soak ${name}: ${file} failed (exit ${code}); seed ${seed}`);
  }
}
console.log(JSON.stringify({ soak: name, seed, scale, ok, seconds: Math.round((Date.now() - started) / 1000) }));
process.exit(ok ? 0 : 1);
