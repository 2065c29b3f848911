import { describe, expect, it } from 'vitest';
import { envelopeProblem, explainEnvelope } from './admit-envelope.js';
import { compile } from './compile.js';
import { definePlugin } from './plugin.js';
import type { StoredResource } from './resource.js';
import { seededRandom } from './seeded-random.js';

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

  it('gives the field-by-field verdict for every envelope, sound or not (the plain fast path included)', () => {
    const random = seededRandom(1407);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const texts = [
      '',
      'a',
      'quote',
      'team-1',
      'x.y',
      ' ',
      '~',
      'é',
      '\u0000',
      'a\u007f',
      '\u009f',
      '\ufffd',
      '\ud800',
      '\udc00x',
      '\u{1f600}',
      'a\nb',
    ];
    const values = [...texts, undefined, null, 0, 7, true, [], {}, ['a']];
    let sound = 0;
    for (let i = 0; i < 5000; i++) {
      const text = () => (random() < 0.7 ? pick(texts) : pick(texts) + pick(texts));
      const metadata: Record<string, unknown> = {};
      if (random() < 0.9) metadata.name = random() < 0.8 ? text() : pick(values);
      if (random() < 0.5) metadata.namespace = random() < 0.8 ? text() : pick(values);
      const resource: Record<string, unknown> = {};
      if (random() < 0.95) resource.apiVersion = random() < 0.9 ? 'getambassador.io/v3alpha1' : pick(values);
      if (random() < 0.95) resource.kind = random() < 0.9 ? 'Mapping' : pick(values);
      if (random() < 0.95) resource.metadata = random() < 0.9 ? metadata : pick(values);
      const input = random() < 0.97 ? resource : pick(values);
      const verdict = envelopeProblem(input);
      expect(verdict).toEqual(explainEnvelope(input));
      if (verdict === undefined) sound++;
    }
    // Both kinds of envelope were drawn often.
    expect(sound).toBeGreaterThan(500);
    expect(sound).toBeLessThan(4500);
  });
});
