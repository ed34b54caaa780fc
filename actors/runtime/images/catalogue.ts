/**
 * The process runtime's images. There is no registry: a reference resolves through a local
 * catalogue, first the user's image map (`--images FILE`), then the built-in images:
 *
 * - `kubeactor/http-echo`, `kubeactor/static-files`, `kubeactor/tcp-echo` (any tag): small
 *   Node programs shipped in this directory;
 * - `busybox`, `alpine` (any tag): no entrypoint, `sh` by default, so the container's
 *   `command` runs with the host's own tools (sh, cat, sleep, python3) inside the sandbox.
 *
 * An image is what Docker's config holds: an entrypoint, a default cmd and env; Kubernetes'
 * `command` replaces the entrypoint and `args` the cmd, as with any image.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A resolved image: the host command line it stands for. */
export interface ImageSpec {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  /** Host paths the sandbox must see (read-only) for the image to run: its program's directory. */
  binds: string[];
}

/** One entry of the user's image map. */
export interface UserImage {
  /** An image name or glob (`nginx`, `nginx:1.27`, `myorg/*`), matched against the short and the full reference. */
  match: string;
  command: string[];
  args?: string[];
  env?: Record<string, string>;
}

export interface ImageCatalogue {
  /** The image behind `reference`, or null: nothing by that name here. */
  resolve(reference: string): ImageSpec | null;
  /** What an unknown image name could have been, for the pull error. */
  readonly known: readonly string[];
}

/** This directory: the built-in images' programs. */
export const BUILTIN_IMAGE_DIR = dirname(fileURLToPath(import.meta.url));

const program = (file: string): ImageSpec => ({
  entrypoint: [process.execPath, `${BUILTIN_IMAGE_DIR}/${file}`],
  cmd: [],
  env: {},
  binds: [BUILTIN_IMAGE_DIR, dirname(process.execPath)],
});

const shell = (): ImageSpec => ({ entrypoint: [], cmd: ['sh'], env: {}, binds: [] });

const BUILTIN: Record<string, () => ImageSpec> = {
  'kubeactor/http-echo': () => program('http-echo.mjs'),
  'kubeactor/static-files': () => program('static-files.mjs'),
  'kubeactor/tcp-echo': () => program('tcp-echo.mjs'),
  busybox: shell,
  alpine: shell,
};

export function imageCatalogue(user: readonly UserImage[] = []): ImageCatalogue {
  const matchers = user.map((u) => ({ u, re: globRegExp(u.match) }));
  return {
    known: [...Object.keys(BUILTIN), ...user.map((u) => u.match)],
    resolve(reference) {
      const ref = parseReference(reference);
      const hit = matchers.find(({ re }) => re.test(ref.short) || re.test(ref.name) || re.test(ref.full) || re.test(reference));
      if (hit) return { entrypoint: hit.u.command, cmd: hit.u.args ?? [], env: { ...hit.u.env }, binds: [] };
      return BUILTIN[ref.name]?.() ?? null;
    },
  };
}

export interface Reference {
  /** Repository path as written, without docker.io/library/: `busybox`, `kubeactor/http-echo`. */
  name: string;
  /** `name:tag` (tag `latest` when none) or `name@digest`. */
  short: string;
  /** The fully qualified reference containerd reports: `docker.io/library/busybox:latest`. */
  full: string;
}

/** Splits an image reference the way the Docker reference grammar does (registry, path, tag, digest). */
export function parseReference(image: string): Reference {
  const [beforeDigest = '', digest] = image.split('@', 2);
  const slash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.lastIndexOf(':');
  const tag = colon > slash ? beforeDigest.slice(colon + 1) : digest ? '' : 'latest';
  let path = colon > slash ? beforeDigest.slice(0, colon) : beforeDigest;
  const first = path.split('/')[0] ?? '';
  const registry = path.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : '';
  if (registry) path = path.slice(registry.length + 1);
  const name = path.startsWith('library/') && (!registry || registry === 'docker.io') ? path.slice('library/'.length) : path;
  const suffix = digest ? `@${digest}` : `:${tag}`;
  const fullPath = registry ? `${registry}/${path}` : `docker.io/${path.includes('/') ? path : `library/${path}`}`;
  return { name, short: `${name}${suffix}`, full: `${fullPath}${suffix}` };
}

/** `*` matches any run of characters, `?` one; everything else literally. */
function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}
