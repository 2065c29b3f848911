import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiagnosticInput, Logger, StoredResource, StoreWriter } from '@attache/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFileSource } from './file-source.js';

const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLogger };

/** A store that keeps what the source last wrote per partition. */
function recordingStore() {
  const partitions = new Map<
    string,
    { resources: readonly StoredResource[]; diagnostics: readonly DiagnosticInput[] }
  >();
  let synced = false;
  const writer: StoreWriter = {
    replace(partition, resources, diagnostics = []) {
      partitions.set(partition, { resources, diagnostics });
    },
    upsert() {
      throw new Error('the file source replaces whole files');
    },
    delete() {
      throw new Error('the file source replaces whole files');
    },
    synced() {
      synced = true;
    },
  };
  return {
    writer,
    isSynced: () => synced,
    names: () =>
      [...partitions.values()].flatMap((p) => p.resources.map((r) => r.resource.metadata.name)).sort(),
    diagnostics: () => [...partitions.values()].flatMap((p) => p.diagnostics),
  };
}

const svc = (...names: string[]) =>
  names.map((n) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${n}\n`).join('---\n');

describe('file source (watching)', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  async function startOn(paths: string[], baseDir: string) {
    const store = recordingStore();
    const source = createFileSource({
      config: { paths, watch: true, debounceMs: 20 },
      logger: quietLogger,
      store: store.writer,
      baseDir,
    });
    await source.start();
    stops.push(() => source.stop());
    return store;
  }

  it('syncs with the initial contents, then follows writes, changes, syntax errors and deletes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    writeFileSync(join(dir, 'a.yaml'), svc('a1'));
    const store = await startOn(['.'], dir);
    expect(store.isSynced()).toBe(true);
    expect(store.names()).toEqual(['a1']);

    writeFileSync(join(dir, 'b.yaml'), svc('b1', 'b2'));
    await vi.waitFor(() => expect(store.names()).toEqual(['a1', 'b1', 'b2']), { timeout: 5000 });

    writeFileSync(join(dir, 'a.yaml'), svc('a2'));
    await vi.waitFor(() => expect(store.names()).toEqual(['a2', 'b1', 'b2']), { timeout: 5000 });

    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: [Service\n');
    await vi.waitFor(() => expect(store.diagnostics().map((d) => d.code)).toEqual(['SOURCE_ERROR']), {
      timeout: 5000,
    });
    expect(store.names()).toEqual(['a2', 'b1', 'b2']);
    expect(store.diagnostics()[0]!.message).toContain('a.yaml:');

    writeFileSync(join(dir, 'a.yaml'), svc('a3'));
    await vi.waitFor(() => expect(store.names()).toEqual(['a3', 'b1', 'b2']), { timeout: 5000 });
    expect(store.diagnostics()).toEqual([]);

    rmSync(join(dir, 'b.yaml'));
    await vi.waitFor(() => expect(store.names()).toEqual(['a3']), { timeout: 5000 });
  });

  it('follows an editor that saves by renaming a temp file over a watched file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    const file = join(dir, 'one.yaml');
    writeFileSync(file, svc('before'));
    const store = await startOn([file], '/');
    expect(store.names()).toEqual(['before']);
    for (const name of ['after', 'again']) {
      writeFileSync(join(dir, '.one.yaml.tmp'), svc(name));
      renameSync(join(dir, '.one.yaml.tmp'), file);
      await vi.waitFor(() => expect(store.names()).toEqual([name]), { timeout: 5000 });
    }
  });

  it('picks up files in new subdirectories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    const store = await startOn([dir], '/');
    expect(store.names()).toEqual([]);
    mkdirSync(join(dir, 'team-a'));
    writeFileSync(join(dir, 'team-a', 'svc.yml'), svc('nested'));
    await vi.waitFor(() => expect(store.names()).toEqual(['nested']), { timeout: 5000 });
  });
});
