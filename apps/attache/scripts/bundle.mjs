// Bundles the offline commands (`attache compile`, `validate`, `explain`) into one script,
// dist/offline-cli.bundle.cjs, after `tsc` has built dist/. Loading the same code as ~540
// ES modules (TypeBox alone is 249 files) costs Node 20 more CPU than compiling 1,000
// Mappings: resolving every specifier through package exports, opening, reading and
// compiling each file. dist/main.js runs those commands from the bundle when it is
// there (src/load-bundle.ts: a classic script, so that V8 can keep its code cache); every
// other command, and every library import, uses the modules tsc wrote.
//
// Behaviour is the same by construction:
// - the bundle is made from the built modules themselves (dist/cli.js and what it imports),
//   not from a second compilation of the sources;
// - `import.meta.url` keeps meaning the module's own file (each module's is rewritten to its
//   path relative to the bundle), so files found beside a module (@attache/envoy's descriptor
//   set) and packages found through createRequire (ajv, the yaml library) resolve as before;
// - the commands that serve (serve, dev) and the plugins that bring a source or sink
//   (ADS, Kubernetes, Consul) stay outside it: the bundled CLI never runs them (main.js sends
//   those commands to the unbundled CLI), and they are not copied;
// - output is deterministic: nothing in it depends on the machine or the time.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** Imports that stay imports: run by the unbundled CLI only. */
const outside = new Set([
  './commands/serve.js',
  './commands/dev.js',
  '@attache/plugin-sink-ads',
  '@attache/plugin-source-kubernetes',
  '@attache/plugin-source-consul',
]);

/** `import.meta.url` of every bundled module: the URL of the file it was bundled from. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  transform(code, id) {
    if (!code.includes('import.meta.url')) return null;
    const url = `new URL(${JSON.stringify(fromBundle(id))}, __bundleUrl).href`;
    return { code: code.replaceAll('import.meta.url', url), map: null };
  },
};

/** A module's path from the bundle, as a relative URL. */
const fromBundle = (file) => {
  const path = relative(dist, file).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
};

/**
 * A script cannot `import()` by itself (Node 20 needs a callback it marks experimental), so
 * modules that must import at run time do it in a module of their own named import-module.js
 * (@attache/runtime's plugin loader), which stays outside: the bundle loads it through
 * `__attacheImport`, given by load-bundle.ts, and calls its importModule.
 */
const importModulesOutside = {
  name: 'import-modules-outside',
  async resolveId(source, importer, options) {
    if (basename(source) !== 'import-module.js' || !importer) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved && `\0import-module:${resolved.id}`;
  },
  load(id) {
    if (!id.startsWith('\0import-module:')) return null;
    const url = `new URL(${JSON.stringify(fromBundle(id.slice('\0import-module:'.length)))}, __bundleUrl).href`;
    return `export function importModule(specifier) {\n  return __attacheImport(${url}).then((m) => m.importModule(specifier));\n}\n`;
  },
};

// A previous build's bundle, also as it was written before (ES module chunks).
for (const name of readdirSync(dist)) if (/\.bundle\.c?js$/.test(name)) rmSync(`${dist}${name}`);

/** The one use of the script's own path: the URL `import.meta.url` is rewritten against. */
const urlLine = 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;';
/**
 * The function the bundle runs in, written around it, so that load-bundle.ts compiles the file's
 * text as it is (the same text as load-bundle.ts's bundleHead and bundleTail, checked below).
 */
const head = '(function (exports, require, module, __filename, __dirname, __attacheImport) {';
const tail = '\n})';
const banner = urlLine;

const bundle = await rolldown({
  input: { 'offline-cli': `${dist}cli.js` },
  platform: 'node',
  external: (id, importer) =>
    outside.has(id) && (!id.startsWith('.') || dirname(importer ?? '') === dist.slice(0, -1)),
  plugins: [importModulesOutside, ownImportMetaUrl],
  logLevel: 'warn',
});
const { output } = await bundle.write({
  file: `${dist}offline-cli.bundle.cjs`,
  format: 'cjs',
  codeSplitting: false,
  // Non-ASCII characters escaped (in messages), and doc comments left out (the rest of them): an
  // ASCII script is a one-byte string in V8, where one such character makes all of it two bytes a
  // character. Licence comments stay (ASCII, checked below).
  charset: 'ascii',
  comments: { legal: true, annotation: false, jsdoc: false },
  banner,
  sourcemap: false,
});
await bundle.close();
for (const file of output) {
  if (file.type !== 'chunk') continue;
  writeFileSync(
    `${dist}${file.fileName}`,
    `${head}${readFileSync(`${dist}${file.fileName}`, 'latin1')}${tail}`,
    'latin1',
  );
}

const loader = await import(`${dist}load-bundle.js`);
if (loader.bundleHead !== head || loader.bundleTail !== tail) {
  throw new Error('bundle.mjs: the function written around the bundle is not the one load-bundle.ts expects');
}

// The bundle must not depend on where it sits except through import.meta.url (rewritten above).
for (const file of output) {
  if (file.type !== 'chunk') continue;
  const written = readFileSync(`${dist}${file.fileName}`, 'utf8');
  if (!written.startsWith(`${head}${banner}`) || !written.endsWith(tail)) {
    throw new Error(`bundle.mjs: ${file.fileName} does not start with its head or end with its tail`);
  }
  const text = written.slice(head.length + banner.length, written.length - tail.length);
  // See `charset` above: a licence comment with a non-ASCII character would make it two-byte again.
  if (readFileSync(`${dist}${file.fileName}`).some((byte) => byte > 0x7f)) {
    throw new Error(`bundle.mjs: ${file.fileName} has non-ASCII characters left (in a licence comment?)`);
  }
  if (/\b__dirname\b|\b__filename\b|\bimport\.meta\b/.test(text)) {
    throw new Error(
      `bundle.mjs: ${file.fileName} uses __dirname, __filename or import.meta, which would mean the bundle's own file`,
    );
  }
  // import() only of what stays outside, which the bundled CLI never runs.
  for (const [, specifier] of text.matchAll(/(?<![{\w.$])import\(\s*("[^"]*"|'[^']*'|[^)]*)\)/g)) {
    const literal = /^["']/.test(specifier) ? specifier.slice(1, -1) : undefined;
    if (!literal || !outside.has(literal)) {
      throw new Error(`bundle.mjs: ${file.fileName} has import(${specifier}), which a script cannot run`);
    }
  }
}
