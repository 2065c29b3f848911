// Bundles the offline commands (`attache compile`, `attache validate`) into one file,
// dist/offline-cli.bundle.js, after `tsc` has built dist/. Loading the same code as ~540
// ES modules (TypeBox alone is 249 files) costs Node 20 more CPU than compiling 1,000
// Mappings: resolving every specifier through package exports, opening, reading and
// compiling each file. dist/main.js runs compile and validate from the bundle when it is
// there; every other command, and every library import, uses the modules tsc wrote.
//
// Behaviour is the same by construction:
// - the bundle is made from the built modules themselves (dist/cli.js and what it imports),
//   not from a second compilation of the sources;
// - `import.meta.url` keeps meaning the module's own file (each module's is rewritten to its
//   path relative to the bundle), so files found beside a module (@attache/envoy's descriptor
//   set) and packages found through createRequire (ajv, the yaml library) resolve as before;
// - the commands that serve (serve, dev, explain) and the plugins that bring a source or sink
//   (ADS, Kubernetes, Consul) stay outside it: the bundled CLI never runs them (main.js sends
//   those commands to the unbundled CLI), and they are not copied;
// - output is deterministic: chunk names are content hashes and nothing else varies.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** Imports that stay imports: run by the unbundled CLI only. */
const outside = new Set([
  './commands/serve.js',
  './commands/dev.js',
  './commands/explain.js',
  '@attache/plugin-sink-ads',
  '@attache/plugin-source-kubernetes',
  '@attache/plugin-source-consul',
]);

/** `import.meta.url` of every bundled module: the URL of the file it was bundled from. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  transform(code, id) {
    if (!code.includes('import.meta.url')) return null;
    const path = relative(dist, id).split(sep).join('/');
    const url = `new URL(${JSON.stringify(path.startsWith('.') ? path : `./${path}`)}, import.meta.url).href`;
    return { code: code.replaceAll('import.meta.url', url), map: null };
  },
};

// A previous build's chunks (their names are hashes of their contents).
for (const name of readdirSync(dist)) if (name.endsWith('.bundle.js')) rmSync(`${dist}${name}`);

const bundle = await rolldown({
  input: { 'offline-cli': `${dist}cli.js` },
  platform: 'node',
  external: (id, importer) =>
    outside.has(id) && (!id.startsWith('.') || dirname(importer ?? '') === dist.slice(0, -1)),
  plugins: [ownImportMetaUrl],
  logLevel: 'warn',
});
const { output } = await bundle.write({
  dir: dist,
  format: 'esm',
  entryFileNames: '[name].bundle.js',
  chunkFileNames: 'offline-[hash].bundle.js',
  sourcemap: false,
});
await bundle.close();

// The bundle must not depend on where it sits except through import.meta.url (rewritten above).
for (const file of output) {
  if (file.type !== 'chunk') continue;
  const text = readFileSync(`${dist}${file.fileName}`, 'utf8');
  if (/\b__dirname\b|\b__filename\b/.test(text)) {
    throw new Error(
      `bundle.mjs: ${file.fileName} uses __dirname or __filename, which mean the bundle's folder`,
    );
  }
}
