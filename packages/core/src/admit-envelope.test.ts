import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { definePlugin } from './plugin.js';
import type { StoredResource } from './resource.js';

const plugin = definePlugin({
  id: 'toy',
  owns: ['getambassador.io/Mapping', 'getambassador.io/Host'],
  consumes: ['Secret'],
  register() {},
});

const stored = (resource: unknown, line = 1): StoredResource => ({
  resource: resource as StoredResource['resource'],
  origin: { source: 'test', file: 'r.yaml', line },
});

const codes = (...resources: unknown[]) =>
  compile(
    resources.map((r, i) => stored(r, i + 1)),
    [plugin],
  ).diagnostics.map((d) => [d.code, d.path, d.message]);

describe('admission of envelopes', () => {
  it('says a numeric metadata.name is a number, not that it is missing', () => {
    const [[code, path, message]] = codes({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 123 } }) as [
      [string, string, string],
    ];
    expect([code, path]).toEqual(['RESOURCE_INVALID', '/metadata/name']);
    expect(message).toMatch(/metadata\.name is a number \(123\), not a string; quote it: name: "123"/);
    expect(message).not.toMatch(/missing/);
  });

  it('refuses NUL, control characters, unpaired surrogates and U+FFFD in names and namespaces', () => {
    const cases = ['a\u0000b', 'tab\there', 'half\ud800', 'caf\ufffd'];
    for (const name of cases) {
      const [[code, path, message]] = codes({ apiVersion: 'v1', kind: 'Secret', metadata: { name } }) as [
        [string, string, string],
      ];
      expect([code, path], JSON.stringify(name)).toEqual(['RESOURCE_INVALID', '/metadata/name']);
      expect(message).toMatch(/metadata\.name holds/);
    }
    const [[code, path]] = codes({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ok', namespace: 'n\u0000s' },
    }) as [[string, string]];
    expect([code, path]).toEqual(['RESOURCE_INVALID', '/metadata/namespace']);
    // A paired surrogate (an emoji) is valid Unicode: not this check's business.
    expect(codes({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ok-😀' } })).toEqual([]);
  });

  it('makes a misspelled API group an error with the likely spelling', () => {
    const [[code, path, message]] = codes({
      apiVersion: 'getambasador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name: 'm' },
    }) as [[string, string, string]];
    expect([code, path]).toEqual(['RESOURCE_KIND_MISSPELLED', '/apiVersion']);
    expect(message).toMatch(/did you mean getambassador\.io\? Write apiVersion: getambassador\.io\/v3alpha1/);
  });

  it('makes a misspelled kind an error with the likely spelling', () => {
    expect(
      codes({ apiVersion: 'getambassador.io/v3alpha1', kind: 'Mappnig', metadata: { name: 'm' } }),
    ).toEqual([['RESOURCE_KIND_MISSPELLED', '/kind', expect.stringMatching(/did you mean Mapping\?/)]]);
    expect(codes({ apiVersion: 'v1', kind: 'Secrets', metadata: { name: 's' } })).toEqual([
      ['RESOURCE_KIND_MISSPELLED', '/kind', expect.stringMatching(/did you mean Secret\?/)],
    ]);
  });

  it('leaves kinds that resemble nothing handled as RESOURCE_KIND_UNKNOWN warnings', () => {
    expect(
      codes(
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
        { apiVersion: 'x.getambassador.io/v3alpha1', kind: 'Mapping', metadata: { name: 'x' } },
        { apiVersion: 'getambassador.io/v3alpha1', kind: 'AuthService', metadata: { name: 'a' } },
      ).map(([code]) => code),
    ).toEqual([
      'RESOURCE_KIND_UNKNOWN',
      'RESOURCE_KIND_UNKNOWN',
      'RESOURCE_KIND_UNKNOWN',
      'RESOURCE_KIND_UNKNOWN',
    ]);
  });
});
