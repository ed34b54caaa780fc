// `node --import ./cli/loader/register.mjs file.ts`: registers the TypeScript hooks
// (hooks.mjs) for this thread — on Node 20 also for the worker threads it starts; a worker
// imports this file itself (bus/workers/boot.mjs) — and stack traces point into the .ts
// sources. Where Node has in-thread synchronous hooks (module.registerHooks, 22.15 and
// later) they are used: no message round trip to a hooks thread per module.
import * as nodeModule from 'node:module';

process.setSourceMapsEnabled(true);
if (typeof nodeModule.registerHooks === 'function') {
  const { loadSync } = await import('./hooks.mjs');
  nodeModule.registerHooks({ load: loadSync });
} else {
  nodeModule.register('./hooks.mjs', import.meta.url);
}
