import type { StoredResource } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { ResourceStore } from './store.js';

const mapping = (name: string, file = 'a.yaml'): StoredResource => ({
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
  },
  origin: { source: 'source-file', file, line: 1 },
});

describe('ResourceStore', () => {
  it('keeps partitions apart: replacing one file leaves the others alone', () => {
    const store = new ResourceStore();
    const w = store.writerFor('file', 'source-file');
    w.replace('a.yaml', [mapping('a1'), mapping('a2')]);
    w.replace('b.yaml', [mapping('b1', 'b.yaml')]);
    w.replace('a.yaml', [mapping('a3')]);
    expect(store.contents().resources.map((r) => r.resource.metadata.name)).toEqual(['a3', 'b1']);
  });

  it('keeps the object of a resource a file re-read gives again unchanged (content and origin)', () => {
    const store = new ResourceStore();
    const w = store.writerFor('file', 'source-file');
    const spec = (timeout: number) => ({ prefix: '/a/', service: 'a', timeout_ms: timeout });
    const withSpec = (name: string, s: Record<string, unknown>, line = 1): StoredResource => ({
      ...mapping(name),
      resource: { ...mapping(name).resource, spec: s },
      origin: { source: 'source-file', file: 'a.yaml', line },
    });
    w.replace('a.yaml', [withSpec('a1', spec(1)), withSpec('a2', spec(2), 5), withSpec('a3', spec(3), 9)]);
    const first = store.contents().resources;
    // Re-read: new objects, a1 the same, a2 edited, a3 the same content on another line.
    w.replace('a.yaml', [withSpec('a1', spec(1)), withSpec('a2', spec(20), 5), withSpec('a3', spec(3), 10)]);
    const second = store.contents().resources;
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect((second[1]!.resource.spec as { timeout_ms: number }).timeout_ms).toBe(20);
    expect(second[2]).not.toBe(first[2]);
    expect(second[2]!.origin.line).toBe(10);
    // Key order is content too.
    w.replace('a.yaml', [withSpec('a1', { service: 'a', prefix: '/a/', timeout_ms: 1 })]);
    expect(store.contents().resources[0]).not.toBe(first[0]);
  });

  it('upserts and deletes by key, counting changes', () => {
    const store = new ResourceStore();
    const w = store.writerFor('kubernetes');
    const before = store.changes;
    w.upsert('mappings', mapping('q'));
    w.upsert('mappings', { ...mapping('q'), origin: { source: 'k8s', file: 'x' } });
    expect(store.contents().resources).toHaveLength(1);
    w.delete('mappings', {
      apiVersion: 'getambassador.io/v2',
      kind: 'Mapping',
      namespace: 'default',
      name: 'q',
    });
    expect(store.contents().resources).toHaveLength(0);
    w.delete('mappings', {
      apiVersion: 'getambassador.io/v2',
      kind: 'Mapping',
      namespace: 'default',
      name: 'q',
    });
    expect(store.changes - before).toBe(3);
  });

  it('stamps source diagnostics with the source plugin', () => {
    const store = new ResourceStore();
    const w = store.writerFor('file', 'source-file');
    w.replace('bad.yaml', [], [{ code: 'SOURCE_ERROR', message: 'bad.yaml:3: unexpected token' }]);
    expect(store.contents().diagnostics).toEqual([
      {
        code: 'SOURCE_ERROR',
        severity: 'error',
        message: 'bad.yaml:3: unexpected token',
        origin: { plugin: 'source-file' },
      },
    ]);
  });

  it('is synced only once every source said so', () => {
    const store = new ResourceStore();
    const a = store.writerFor('a');
    const b = store.writerFor('b');
    expect(store.allSynced).toBe(false);
    a.synced();
    expect(store.pendingSources()).toEqual(['b']);
    b.synced();
    expect(store.allSynced).toBe(true);
  });

  it('refuses a second writer for one source', () => {
    const store = new ResourceStore();
    store.writerFor('file');
    expect(() => store.writerFor('file')).toThrow(/already/);
  });
});
