// Node's modules by process.getBuiltinModule where there is one (Node 20.16 on), not imported: see main.ts.
const getBuiltin = process.getBuiltinModule as typeof process.getBuiltinModule | undefined;
const { isAscii } = getBuiltin ? getBuiltin('node:buffer') : await import('node:buffer');
const { createHash } = getBuiltin ? getBuiltin('node:crypto') : await import('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = getBuiltin
  ? getBuiltin('node:fs')
  : await import('node:fs');
const { createRequire } = getBuiltin ? getBuiltin('node:module') : await import('node:module');
const { homedir } = getBuiltin ? getBuiltin('node:os') : await import('node:os');
const { dirname, join } = getBuiltin ? getBuiltin('node:path') : await import('node:path');
const vm = getBuiltin ? getBuiltin('node:vm') : await import('node:vm');

export interface LoadedBundle<T> {
  exports: T;
  /** Whether V8 took the cached code: a cache made from this very bundle, by this Node. */
  cacheUsed: boolean;
  /**
   * Writes V8's code cache of the script (with the functions this run compiled) for the
   * next run, when this run had none it could use. Never throws: the cache only saves time.
   */
  saveCodeCache(): void;
}

/**
 * Runs a CommonJS bundle (scripts/bundle.mjs) as a classic script, with V8's code cache
 * kept between runs: Node 20 has no compile cache for modules, and compiling the bundle's
 * functions is a fifth of the offline CLI's start. The cache lives under
 * `$ATTACHE_CACHE/code-cache` (default ~/.cache/attache), one file per Node version and
 * architecture, headed by the SHA-256 of the bundle it was made from and of the cache
 * itself: V8 checks only the source's length, so the first keeps a cache from being used
 * with another build, and V8 does not check the data either (a flipped bit is a fatal
 * error in its deserialiser), so the second keeps a damaged file from being used. A
 * missing, stale, damaged or rejected cache only costs the time it would have saved.
 */
export function loadBundle<T>(file: string, cacheDir: string | undefined = codeCacheDir()): LoadedBundle<T> {
  const bytes = readFileSync(file);
  const digest = sha256(bytes);
  const cacheFile = cacheDir && join(cacheDir, `offline-cli-${process.version}-${process.arch}.bin`);
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      const cached = readFileSync(cacheFile);
      const payload = cached.subarray(2 * digest.length);
      if (
        cached.subarray(0, digest.length).equals(digest) &&
        cached.subarray(digest.length, 2 * digest.length).equals(sha256(payload))
      )
        cachedData = payload;
    } catch {
      // no cache yet
    }
  }
  // The build writes an ASCII bundle (scripts/bundle.mjs), which decodes as latin1 without UTF-8's checks.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  // The build also writes the function around the bundle's code (bundleHead): its text is then
  // compiled as it is, instead of joined to the head into a second string of its length (1.8 MB).
  const script = new vm.Script(
    source.startsWith(bundleHead) ? source : `${bundleHead}${source}${bundleTail}`,
    {
      filename: file,
      ...(cachedData ? { cachedData } : {}),
    },
  );
  const module = { exports: {} as T };
  // A script cannot import() (Node 20 marks the way experimental): the bundle imports by URL through this.
  const importByUrl = (url: string): Promise<unknown> => import(url);
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), importByUrl);
  const usable = cachedData !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    cacheUsed: usable,
    saveCodeCache() {
      if (usable || !cacheFile) return;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        const partial = `${cacheFile}.${process.pid}`;
        const data = script.createCachedData();
        writeFileSync(partial, Buffer.concat([digest, sha256(data), data]));
        renameSync(partial, cacheFile);
      } catch {
        // a read-only home, a full disk: run without a cache
      }
    },
  };
}

/** The function a bundle runs in (a CommonJS module's, and how it imports by URL), written before its code… */
export const bundleHead = '(function (exports, require, module, __filename, __dirname, __attacheImport) {';
/** …and after it. */
export const bundleTail = '\n})';

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

function codeCacheDir(): string | undefined {
  const root = process.env.ATTACHE_CACHE || (homedir() ? join(homedir(), '.cache', 'attache') : undefined);
  return root && join(root, 'code-cache');
}
