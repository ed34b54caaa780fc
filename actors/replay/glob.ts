/** A glob over dotted names: `*` matches any run of characters (dots included), `?` one; several globs separated by commas. */
export function globMatcher(glob: string | undefined): (name: string) => boolean {
  if (glob === undefined || glob === '' || glob === '*') return () => true;
  const res = glob.split(',').map((g) => new RegExp(`^${g.trim().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return (name) => res.some((re) => re.test(name));
}
