// `node --import ./cli/loader/register.mjs file.ts`: registers the TypeScript hooks
// (hooks.mjs) for this process and the worker threads it starts; stack traces point
// into the .ts sources.
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./hooks.mjs', import.meta.url);
