import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleHead, bundleTail, loadBundle } from './load-bundle.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attache-load-bundle-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS script with enough functions for V8 to cache, answering `answer`. */
function script(answer: string): string {
  const helpers = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n');
  return `${helpers}\nexports.answer = () => ${JSON.stringify(answer)} + f1(0);\nexports.file = __filename;\n`;
}

describe('loadBundle', () => {
  it('runs the script as CommonJS, and keeps its code cache for the next run', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, script('first'));
    const cache = join(dir, 'cache');
    const cold = loadBundle<{ answer(): string; file: string }>(file, cache);
    expect(cold.exports.answer()).toBe('first1');
    expect(cold.exports.file).toBe(file);
    expect(cold.cacheUsed).toBe(false);
    cold.saveCodeCache();
    expect(readdirSync(cache)).toEqual([`offline-cli-${process.version}-${process.arch}.bin`]);
    const warm = loadBundle<{ answer(): string }>(file, cache);
    expect(warm.cacheUsed).toBe(true);
    expect(warm.exports.answer()).toBe('first1');
  });

  it('reads an ASCII script and one with other characters alike', () => {
    const file = join(dir, 'bundle.cjs');
    for (const answer of ['plain ASCII', 'Attaché → “UTF-8” 🚀']) {
      writeFileSync(file, script(answer));
      expect(loadBundle<{ answer(): string }>(file, undefined).exports.answer()).toBe(`${answer}1`);
    }
  });

  it('runs a script written inside its function (as the build writes the bundle) as one without', () => {
    const bare = join(dir, 'bare.cjs');
    const wrapped = join(dir, 'wrapped.cjs');
    writeFileSync(bare, script('same'));
    writeFileSync(wrapped, `${bundleHead}${script('same')}${bundleTail}`);
    for (const file of [bare, wrapped]) {
      const cache = join(dir, `cache-${file.endsWith('bare.cjs') ? 'bare' : 'wrapped'}`);
      const cold = loadBundle<{ answer(): string; file: string }>(file, cache);
      expect(cold.exports.answer()).toBe('same1');
      expect(cold.exports.file).toBe(file);
      cold.saveCodeCache();
      const warm = loadBundle<{ answer(): string }>(file, cache);
      expect(warm.cacheUsed).toBe(true);
      expect(warm.exports.answer()).toBe('same1');
    }
    // Compiled from the same text: a stack names the same line and column either way.
    const where = (file: string) => {
      writeFileSync(
        file,
        `${file === wrapped ? bundleHead : ''}exports.stack = () => new Error('x').stack.split('\\n')[1];${file === wrapped ? bundleTail : ''}`,
      );
      return loadBundle<{ stack(): string }>(file, undefined).exports.stack().replace(file, 'FILE');
    };
    expect(where(wrapped)).toBe(where(bare));
  });

  it('never uses the cache of another bundle, even one of the same length', () => {
    const file = join(dir, 'bundle.cjs');
    const cache = join(dir, 'cache');
    writeFileSync(file, script('aaaaa'));
    loadBundle(file, cache).saveCodeCache();
    // V8 would check only the length: the hash in front of the cache must tell them apart.
    writeFileSync(file, script('bbbbb'));
    const other = loadBundle<{ answer(): string }>(file, cache);
    expect(other.cacheUsed).toBe(false);
    expect(other.exports.answer()).toBe('bbbbb1');
    other.saveCodeCache();
    expect(loadBundle(file, cache).cacheUsed).toBe(true);
  });

  it('never hands V8 a damaged cache (it would abort the process)', () => {
    const file = join(dir, 'bundle.cjs');
    const cache = join(dir, 'cache');
    writeFileSync(file, script('ok'));
    loadBundle(file, cache).saveCodeCache();
    const [name] = readdirSync(cache);
    const bytes = readFileSync(join(cache, name!));
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 64 && i < bytes.length; i++) bytes[i]! ^= 0xff;
    writeFileSync(join(cache, name!), bytes);
    const loaded = loadBundle<{ answer(): string }>(file, cache);
    expect(loaded.cacheUsed).toBe(false);
    expect(loaded.exports.answer()).toBe('ok1');
  });

  it('runs without a cache where none can be written', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, script('x'));
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, '');
    const loaded = loadBundle<{ answer(): string }>(file, join(blocked, 'cache'));
    expect(() => loaded.saveCodeCache()).not.toThrow();
    expect(loadBundle<{ answer(): string }>(file, join(blocked, 'cache')).exports.answer()).toBe('x1');
    expect(existsSync(join(blocked, 'cache'))).toBe(false);
  });
});
