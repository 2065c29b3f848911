import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { envoyRegistry, messageOfTypeUrl, typeNameOfUrl } from './registry.js';

describe('messageOfTypeUrl', () => {
  it('answers what the registry answers for the URL’s type name, asked again and again (random URLs, fixed seed)', () => {
    const random = seededRandom(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const names = [...envoyRegistry].map((t) => t.typeName);
    const prefixes = ['type.googleapis.com/', 'example.com/a/', '/', ''];
    let found = 0;
    for (let i = 0; i < 5000; i++) {
      let name = pick(names);
      // Names of enums, extensions and services, cut or lengthened: not messages.
      if (random() < 0.2) name = name.slice(0, Math.floor(random() * name.length));
      else if (random() < 0.1) name = `${name}.Nope`;
      // A fresh string each time, as lowering makes them.
      const url = `${pick(prefixes)}${name}`;
      const want = envoyRegistry.getMessage(typeNameOfUrl(url));
      expect(messageOfTypeUrl(url), url).toBe(want);
      expect(messageOfTypeUrl(url), url).toBe(want);
      if (want) found++;
    }
    expect(found).toBeGreaterThan(1000);
  });
});
