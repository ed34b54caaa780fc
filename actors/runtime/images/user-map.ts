/**
 * The user's image map (`--images FILE`): a YAML mapping from an image name or glob to the
 * host command that stands for it, e.g.
 *
 *   nginx:*:
 *     command: [/usr/sbin/nginx, -g, "daemon off;"]
 *   "myorg/*":
 *     command: [python3, -m, http.server]
 *     args: ["8080"]
 *     env: { PYTHONUNBUFFERED: "1" }
 *
 * `command` is the image's entrypoint, `args` its default cmd; entries are tried in file order.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { UserImage } from './catalogue.ts';

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Parses the map's text; throws an Error naming the file and the entry that is wrong. */
export function parseImageMap(text: string, file = 'image map'): UserImage[] {
  const doc: unknown = parse(text);
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected a mapping of image name or glob to {command, args, env}`);
  return Object.entries(doc as Record<string, unknown>).map(([match, v]) => {
    const e = (v ?? {}) as Record<string, unknown>;
    if (!strings(e.command) || e.command.length === 0) throw new Error(`${file}: ${match}: command must be a non-empty list of strings`);
    if (e.args !== undefined && !strings(e.args)) throw new Error(`${file}: ${match}: args must be a list of strings`);
    const env = e.env ?? {};
    if (typeof env !== 'object' || Array.isArray(env) || Object.values(env as object).some((x) => typeof x !== 'string')) {
      throw new Error(`${file}: ${match}: env must map names to strings`);
    }
    return { match, command: e.command, ...(e.args ? { args: e.args as string[] } : {}), env: env as Record<string, string> };
  });
}

export function loadImageMap(file: string): UserImage[] {
  return parseImageMap(readFileSync(file, 'utf8'), file);
}
