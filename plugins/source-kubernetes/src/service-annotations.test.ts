import { describe, expect, it } from 'vitest';
import { parseServiceAnnotation } from './service-annotations.js';

const service = (annotation: string, labels?: Record<string, string>) => ({
  ref: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'quote' },
  labels,
  annotation,
  objectPath: 'kubernetes:Service/shop/quote',
});

describe('parseServiceAnnotation', () => {
  it('reads the flat legacy form: name/namespace to metadata, everything else to spec', () => {
    const { resources, diagnostics } = parseServiceAnnotation(
      service('apiVersion: getambassador.io/v2\nkind: Mapping\nname: q\nprefix: /q/\nservice: quote\n', {
        team: 'a',
      }),
      ['default'],
    );
    expect(diagnostics).toEqual([]);
    expect(resources).toEqual([
      {
        resource: {
          apiVersion: 'getambassador.io/v2',
          kind: 'Mapping',
          metadata: { name: 'q', namespace: 'shop', labels: { team: 'a' } },
          spec: { prefix: '/q/', service: 'quote' },
        },
        origin: {
          source: 'source-kubernetes',
          file: 'kubernetes:Service/shop/quote',
          line: 1,
          parent: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'quote' },
        },
      },
    ]);
  });

  it('reads several documents, an explicit namespace, and the Kubernetes form with its own labels winning', () => {
    const text = [
      '---',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'name: a',
      'namespace: other',
      'prefix: /a/',
      'service: a',
      '---',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Host',
      'metadata: { name: h, labels: { team: b } }',
      'spec: { hostname: h.example.com }',
    ].join('\n');
    const { resources } = parseServiceAnnotation(service(text, { team: 'a', tier: 'web' }), ['default']);
    expect(
      resources.map((r) => [
        r.resource.kind,
        r.resource.metadata.namespace,
        r.resource.metadata.labels,
        r.origin.line,
      ]),
    ).toEqual([
      ['Mapping', 'other', { team: 'a', tier: 'web' }, 2],
      ['Host', 'shop', { team: 'b', tier: 'web' }, 9],
    ]);
  });

  it('maps legacy ambassador/v1 to getambassador.io/v2 and filters by ambassador_id', () => {
    const text = [
      'apiVersion: ambassador/v1',
      'kind: Mapping',
      'name: old',
      'prefix: /old/',
      'service: old',
      '---',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'name: elsewhere',
      'ambassador_id: [blue]',
      'prefix: /x/',
      'service: x',
    ].join('\n');
    const { resources } = parseServiceAnnotation(service(text), ['default']);
    expect(resources.map((r) => `${r.resource.apiVersion} ${r.resource.metadata.name}`)).toEqual([
      'getambassador.io/v2 old',
    ]);
    expect(
      parseServiceAnnotation(service(text), ['blue']).resources.map((r) => r.resource.metadata.name),
    ).toEqual(['elsewhere']);
  });

  it('reports a YAML error on the Service with the line, and keeps the good documents', () => {
    const text = [
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'name: good',
      'prefix: /good/',
      'service: good',
      '---',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'name: bad',
      'prefix: "unterminated',
    ].join('\n');
    const { resources, diagnostics } = parseServiceAnnotation(service(text), ['default']);
    expect(resources.map((r) => r.resource.metadata.name)).toEqual(['good']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'KUBERNETES_ANNOTATION_INVALID',
      resource: { kind: 'Service', namespace: 'shop', name: 'quote' },
      path: '/metadata/annotations/getambassador.io~1config',
    });
    expect(diagnostics[0]?.message).toMatch(
      /^Service shop\/quote annotation getambassador.io\/config line 10: /,
    );
  });

  it('reports an alias bomb as a diagnostic on the Service instead of throwing', () => {
    const levels = ['a0: &a0 "lol"'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const text = [
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'name: good',
      'prefix: /good/',
      'service: good',
      '---',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'name: bomb',
      ...levels,
    ].join('\n');
    const { resources, diagnostics } = parseServiceAnnotation(service(text), ['default']);
    expect(resources.map((r) => r.resource.metadata.name)).toEqual(['good']);
    expect(diagnostics.map((d) => d.code)).toEqual(['KUBERNETES_ANNOTATION_INVALID']);
    expect(diagnostics[0]?.message).toMatch(/line 7: document 2 cannot be read as data \(.*alias/i);
  });

  it('reports documents that are not getambassador.io resources, naming their line', () => {
    const text =
      'apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nname: ok\nprefix: /\nservice: s\n---\n\n- just\n- a list\n---\napiVersion: v1\nkind: ConfigMap\nname: nope\n';
    const { resources, diagnostics } = parseServiceAnnotation(service(text), ['default']);
    expect(resources).toHaveLength(1);
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/line 8: document 2 is not a mapping/),
      expect.stringMatching(
        /line 11: document 3 has apiVersion 'v1'; annotations may only hold getambassador.io resources/,
      ),
    ]);
  });
});
