import { describe, expect, it } from 'vitest';
import {
  headerNameProblem,
  labelDialect,
  parseDefaultLabels,
  parseLabels,
  quickRateLimits,
} from './labels.js';
import { envoyAction, envoyRateLimits, mergeDefaultLabels } from './rate-limits.js';

const codes = (problems: Array<{ code: string }>) => problems.map((p) => p.code);

describe('labels, v3alpha1 form', () => {
  it('every action kind becomes its Envoy action, one rate_limits entry per group, in order', () => {
    const { domains, problems } = parseLabels(
      {
        edge: [
          {
            'by-client': [
              { source_cluster: { key: 'source_cluster' } },
              { destination_cluster: { key: 'destination_cluster' } },
              { remote_address: { key: 'remote_address' } },
            ],
          },
          { 'by-header': [{ request_headers: { key: 'plan', header_name: 'x-plan' } }] },
          {
            'by-constant': [
              { generic_key: { value: 'api-constant' } },
              { generic_key: { key: 'route', value: 'api' } },
            ],
          },
        ],
      },
      'v3alpha1',
    );
    expect(problems).toEqual([]);
    expect(envoyRateLimits(domains.edge!)).toEqual([
      { stage: 0, actions: [{ source_cluster: {} }, { destination_cluster: {} }, { remote_address: {} }] },
      { stage: 0, actions: [{ request_headers: { descriptor_key: 'plan', header_name: 'x-plan' } }] },
      {
        stage: 0,
        actions: [
          { generic_key: { descriptor_key: 'generic_key', descriptor_value: 'api-constant' } },
          { generic_key: { descriptor_key: 'route', descriptor_value: 'api' } },
        ],
      },
    ]);
    expect(domains.edge!.map((g) => g.path)).toEqual([
      '/spec/labels/edge/0/by-client',
      '/spec/labels/edge/1/by-header',
      '/spec/labels/edge/2/by-constant',
    ]);
  });

  it('omit_if_not_present is accepted without effect (as Emissary), skip_if_absent sets Envoy’s flag', () => {
    const { domains, problems } = parseLabels(
      {
        d: [
          {
            g: [
              { request_headers: { key: 'tenant', header_name: 'x-tenant', omit_if_not_present: true } },
              { request_headers: { key: 'plan', header_name: 'x-plan', skip_if_absent: true } },
            ],
          },
        ],
      },
      'v3alpha1',
    );
    expect(codes(problems)).toEqual(['RATELIMIT_OMIT_IF_NOT_PRESENT_NO_EFFECT']);
    expect(problems[0]!.path).toBe('/spec/labels/d/0/g/0/request_headers/omit_if_not_present');
    expect(envoyRateLimits(domains.d!)[0]!.actions).toEqual([
      { request_headers: { descriptor_key: 'tenant', header_name: 'x-tenant' } },
      { request_headers: { descriptor_key: 'plan', header_name: 'x-plan', skip_if_absent: true } },
    ]);
  });

  it('a bad group is dropped with a coded problem; the other groups stay', () => {
    const { domains, problems } = parseLabels(
      {
        d: [
          { ok: [{ remote_address: { key: 'remote_address' } }] },
          { badheader: [{ request_headers: { key: 'k', header_name: 'x tenant' } }] },
          { pseudo: [{ request_headers: { key: 'k', header_name: ':tenant' } }] },
          { unknown: [{ header_value_match: { descriptor_value: 'x' } }] },
          { empty: [] },
          { two: [{ remote_address: {}, source_cluster: {} }] },
          { novalue: [{ generic_key: { key: 'k' } }] },
          { a: [], b: [] },
          'just-a-string',
          { shorthand: ['remote_address'] },
        ],
        notalist: { g: [] },
      },
      'v3alpha1',
    );
    expect(domains.d!.map((g) => g.name)).toEqual(['ok']);
    expect(domains.notalist).toBeUndefined();
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['RATELIMIT_LABEL_HEADER_INVALID', '/spec/labels/d/1/badheader/0/request_headers/header_name'],
      ['RATELIMIT_LABEL_HEADER_INVALID', '/spec/labels/d/2/pseudo/0/request_headers/header_name'],
      ['RATELIMIT_LABEL_ACTION_UNKNOWN', '/spec/labels/d/3/unknown/0/header_value_match'],
      ['RATELIMIT_LABELS_INVALID', '/spec/labels/d/4/empty'],
      ['RATELIMIT_LABELS_INVALID', '/spec/labels/d/5/two/0'],
      ['RATELIMIT_LABELS_INVALID', '/spec/labels/d/6/novalue/0/generic_key/value'],
      ['RATELIMIT_LABELS_INVALID', '/spec/labels/d/7'],
      ['RATELIMIT_LABELS_INVALID', '/spec/labels/d/8'],
      ['RATELIMIT_LABELS_INVALID', '/spec/labels/d/9/shorthand/0'],
      ['RATELIMIT_LABELS_INVALID', '/spec/labels/notalist'],
    ]);
  });

  it('a fixed-key action with another key warns and still applies', () => {
    const { domains, problems } = parseLabels(
      { d: [{ g: [{ remote_address: { key: 'client' } }] }] },
      'v3alpha1',
    );
    expect(codes(problems)).toEqual(['RATELIMIT_LABEL_KEY_FIXED']);
    expect(domains.d![0]!.actions).toEqual([{ kind: 'remote_address' }]);
  });

  it('labels that are not a map are one problem', () => {
    expect(codes(parseLabels(['x'], 'v3alpha1').problems)).toEqual(['RATELIMIT_LABELS_INVALID']);
    expect(parseLabels(undefined, 'v3alpha1')).toEqual({ domains: {}, problems: [] });
  });
});

describe('labels, getambassador.io/v2 form', () => {
  it('strings, header maps and generic_key longhand convert as Emissary’s API server does', () => {
    expect(labelDialect('getambassador.io/v2')).toBe('v2');
    expect(labelDialect('getambassador.io/v3alpha1')).toBe('v3alpha1');
    const { domains, problems } = parseLabels(
      {
        ambassador: [
          {
            request_label_group: [
              'source_cluster',
              'destination_cluster',
              'remote_address',
              'minute',
              { 'x-user': { header: 'x-user', omit_if_not_present: false } },
              { generic_key: 'longhand' },
              { generic_key: 'keyed', v3Key: 'route' },
            ],
          },
        ],
      },
      'v2',
    );
    expect(codes(problems)).toEqual(['RATELIMIT_OMIT_IF_NOT_PRESENT_NO_EFFECT']);
    expect(envoyRateLimits(domains.ambassador!)).toEqual([
      {
        stage: 0,
        actions: [
          { source_cluster: {} },
          { destination_cluster: {} },
          { remote_address: {} },
          { generic_key: { descriptor_key: 'generic_key', descriptor_value: 'minute' } },
          { request_headers: { descriptor_key: 'x-user', header_name: 'x-user' } },
          { generic_key: { descriptor_key: 'generic_key', descriptor_value: 'longhand' } },
          { generic_key: { descriptor_key: 'route', descriptor_value: 'keyed' } },
        ],
      },
    ]);
  });

  it('a v2 header label with a header no request can carry drops its group', () => {
    const { domains, problems } = parseLabels(
      { ambassador: [{ g: [{ user: { header: 'x:user' } }] }, { h: ['remote_address'] }] },
      'v2',
    );
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['RATELIMIT_LABEL_HEADER_INVALID', '/spec/labels/ambassador/0/g/0/user/header'],
    ]);
    expect(domains.ambassador!.map((g) => g.name)).toEqual(['h']);
  });
});

describe('header names', () => {
  it('tokens and request pseudo-headers are fine; others can never arrive', () => {
    expect(headerNameProblem('x-tenant')).toBeUndefined();
    expect(headerNameProblem('X-Tenant')).toBeUndefined();
    expect(headerNameProblem(':authority')).toBeUndefined();
    expect(headerNameProblem(':path')).toBeUndefined();
    expect(headerNameProblem('')).toBeDefined();
    expect(headerNameProblem(':status')).toBeDefined();
    expect(headerNameProblem('x tenant')).toBeDefined();
    expect(headerNameProblem('x-tenant:')).toBeDefined();
    expect(headerNameProblem('tenant\u00e9')).toBeDefined();
  });
});

describe('Module default_labels (Emissary’s merge rules)', () => {
  const { defaults, problems } = parseDefaultLabels(
    {
      ambassador: { defaults: [{ remote_address: { key: 'remote_address' } }] },
      edge: { defaults: [{ generic_key: { value: 'edge-default' } }] },
    },
    'v3alpha1',
  );
  it('parses', () => expect(problems).toEqual([]));

  it('a Mapping without labels gets a `defaults` group of the default domain only', () => {
    const merged = mergeDefaultLabels(undefined, defaults, 'ambassador');
    expect(Object.keys(merged)).toEqual(['ambassador']);
    expect(merged.ambassador!.map((g) => [g.name, g.actions])).toEqual([
      ['defaults', [{ kind: 'remote_address' }]],
    ]);
    expect(mergeDefaultLabels({}, defaults, 'edge').edge![0]!.actions).toEqual([
      { kind: 'generic_key', key: 'generic_key', value: 'edge-default' },
    ]);
    expect(mergeDefaultLabels(undefined, defaults, 'nothing-here')).toEqual({});
  });

  it('a Mapping with labels gets its domain’s defaults prepended to every group; other domains unchanged', () => {
    const own = parseLabels(
      {
        edge: [{ a: [{ generic_key: { value: 'a' } }] }, { b: [{ remote_address: {} }] }],
        other: [{ c: [{ generic_key: { value: 'c' } }] }],
      },
      'v3alpha1',
    ).domains;
    const merged = mergeDefaultLabels(own, defaults, 'ambassador');
    expect(Object.keys(merged)).toEqual(['edge', 'other']);
    expect(merged.edge!.map((g) => g.actions.map((a) => a.kind))).toEqual([
      ['generic_key', 'generic_key'],
      ['generic_key', 'remote_address'],
    ]);
    expect(merged.edge![0]!.actions[0]).toEqual({
      kind: 'generic_key',
      key: 'generic_key',
      value: 'edge-default',
    });
    expect(merged.other).toBe(own.other);
    // The Mapping's own groups are not edited in place.
    expect(own.edge![0]!.actions).toHaveLength(1);
  });

  it('malformed default_labels are reported per domain', () => {
    const bad = parseDefaultLabels({ a: [1], b: { defaults: [] }, c: { defaults: ['x'] } }, 'v3alpha1');
    expect(bad.problems.map((p) => [p.code, p.path])).toEqual([
      ['RATELIMIT_LABELS_INVALID', '/spec/config/default_labels/a'],
      ['RATELIMIT_LABELS_INVALID', '/spec/config/default_labels/b/defaults'],
      ['RATELIMIT_LABELS_INVALID', '/spec/config/default_labels/c/defaults/0'],
    ]);
    expect(bad.defaults).toEqual({});
  });
});

describe('the quick path for usual labels', () => {
  it('gives exactly what the full parser gives, on every label of the golden inputs and the bench shape', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { parseAllDocuments } = await import('yaml');
    const dir = new URL('./testdata/', import.meta.url);
    const samples: unknown[] = [
      { edge: [{ a: [{ remote_address: { key: 'remote_address' } }] }, { b: [{ remote_address: null }] }] },
      { edge: [{ a: [{ request_headers: { key: 'k', header_name: 'x-k', skip_if_absent: false } }] }] },
      { 'a/b': [{ g: [{ generic_key: { value: 'v' } }] }] },
      { d: [{ 'g~1': [{ generic_key: { value: 'v' } }] }] },
    ];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.in.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(new URL(file, dir), 'utf8'))) {
        const labels = (doc.toJS() as { spec?: { labels?: unknown } } | null)?.spec?.labels;
        if (labels !== undefined) samples.push(labels);
      }
    }
    expect(samples.length).toBeGreaterThan(6);
    for (const raw of samples) {
      expect(parseLabels(raw, 'v3alpha1'), JSON.stringify(raw)).toEqual(
        parseLabels(raw, 'v3alpha1', '/spec/labels', { quick: false }),
      );
    }
  });
});

describe('quickRateLimits (the attach pass’s hot path)', () => {
  const samples: Array<Record<string, unknown>> = [
    {
      edge: [
        { a: [{ remote_address: { key: 'remote_address' } }, { source_cluster: null }] },
        {
          b: [
            { request_headers: { key: 't', header_name: 'x-t', skip_if_absent: true } },
            { generic_key: { value: 'v' } },
          ],
        },
      ],
      other: [{ c: [{ destination_cluster: { key: 'destination_cluster' } }] }],
    },
    { other: [{ c: [{ generic_key: { key: 'k', value: 'v' } }] }] },
    { edge: [] },
  ];
  const defaults = [{ kind: 'generic_key' as const, key: 'generic_key', value: 'd' }];

  it('gives what parseLabels + mergeDefaultLabels + envoyRateLimits give, with and without defaults', () => {
    for (const raw of samples) {
      for (const prefix of [[], defaults]) {
        const quick = quickRateLimits(raw, 'edge', prefix.map(envoyAction));
        expect(quick, JSON.stringify(raw)).toBeDefined();
        const merged = mergeDefaultLabels(
          parseLabels(raw, 'v3alpha1', '/spec/labels', { quick: false }).domains,
          { edge: prefix },
          'edge',
        );
        const slow = envoyRateLimits(merged.edge ?? []);
        expect(quick!.limits ?? []).toEqual(slow);
        expect(quick!.domains).toEqual(Object.keys(raw));
      }
    }
  });

  it('leaves anything unusual to the full parser', () => {
    const unusual: Array<Record<string, unknown>> = [
      { edge: [{ g: [{ request_headers: { key: 't', header_name: 'x t' } }] }] },
      { edge: [{ g: [{ request_headers: { key: 't', header_name: 'x-t', omit_if_not_present: true } }] }] },
      { edge: [{ g: [] }] },
      { other: [{ g: [{ header_value_match: {} }] }] },
      { edge: [{ g: [{ remote_address: { key: 'client' } }] }] },
      { 'a/b': [{ g: [{ generic_key: { value: 'v' } }] }] },
      { edge: [{ g: ['remote_address'] }] },
    ];
    for (const raw of unusual) expect(quickRateLimits(raw, 'edge', []), JSON.stringify(raw)).toBeUndefined();
  });
});
