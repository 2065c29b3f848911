/**
 * `import()` from this package's folder: the plugin loader's one dynamic import, in a module
 * of its own so that a bundle of the CLI (apps/attache/scripts/bundle.mjs) can leave it where
 * it is and call it, and a package name still resolves from here as it always has.
 */
export function importModule(specifier: string): Promise<Record<string, unknown>> {
  return import(specifier);
}
