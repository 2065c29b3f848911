import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiagnosticInput, Logger, StoredResource, StoreWriter } from '@attache/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configMapMount } from './configmap-layout.test-helper.js';
import { createFileSource } from './file-source.js';
import { type ListingFs, nodeListingFs } from './list-files.js';

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

/**
 * Whether this process reads a mode-000 directory anyway (root with
 * CAP_DAC_OVERRIDE). Run without it to include the chmod test:
 * `setpriv --bounding-set -dac_override,-dac_read_search --inh-caps -dac_override,-dac_read_search npx vitest run …`
 */
function modesAreIgnored(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'attache-mode-'));
  chmodSync(dir, 0);
  try {
    readdirSync(dir);
    return true;
  } catch {
    return false;
  } finally {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true });
  }
}

const svc = (...names: string[]) =>
  names.map((n) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${n}\n`).join('---\n');

describe('file source (watching)', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  async function startOn(paths: string[], baseDir: string, logger: Logger = quietLogger, fs?: ListingFs) {
    const store = recordingStore();
    const source = createFileSource(
      {
        config: { paths, watch: true, debounceMs: 20 },
        logger,
        store: store.writer,
        baseDir,
      },
      fs,
    );
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

  it('follows in-place edits after a rename-style save, in a watched directory and its subdirectories', async () => {
    // Node 20's recursive fs.watch on Linux lost a file for good once an editor had
    // renamed a temp file over it: every later in-place write went unseen.
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    mkdirSync(join(dir, 'team'));
    const top = join(dir, 'top.yaml');
    const nested = join(dir, 'team', 'nested.yaml');
    writeFileSync(top, svc('t0'));
    writeFileSync(nested, svc('n0'));
    const store = await startOn(['.'], dir);
    expect(store.names()).toEqual(['n0', 't0']);
    let step = 0;
    for (const file of [top, nested]) {
      const save = (name: string, how: 'rename' | 'in-place') => {
        if (how === 'in-place') return writeFileSync(file, svc(name));
        writeFileSync(`${file}.swp`, svc(name));
        renameSync(`${file}.swp`, file);
      };
      for (const how of ['rename', 'in-place', 'in-place', 'rename', 'in-place'] as const) {
        const name = `${file === top ? 't' : 'n'}${++step}`;
        save(name, how);
        await vi.waitFor(() => expect(store.names()).toContain(name), { timeout: 5000 });
      }
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

  it('survives a YAML alias bomb at start-up and while watching: a SOURCE_ERROR naming the file', async () => {
    const levels = ['a0: &a0 "lol"'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  ${levels.join('\n  ')}\n`;
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    writeFileSync(join(dir, 'bomb.yaml'), bomb);
    writeFileSync(join(dir, 'a.yaml'), svc('a1'));
    const store = await startOn([dir], '/');
    expect(store.names()).toEqual(['a1']);
    expect(store.diagnostics().map((d) => d.code)).toEqual(['SOURCE_ERROR']);
    expect(store.diagnostics()[0]!.message).toContain(join(dir, 'bomb.yaml'));
    // A good file turned into a bomb keeps its last good contents; the source keeps watching.
    writeFileSync(join(dir, 'a.yaml'), bomb);
    await vi.waitFor(
      () => expect(store.diagnostics().map((d) => d.code)).toEqual(['SOURCE_ERROR', 'SOURCE_ERROR']),
      {
        timeout: 5000,
      },
    );
    expect(store.names()).toEqual(['a1']);
    writeFileSync(join(dir, 'a.yaml'), svc('a2'));
    await vi.waitFor(() => expect(store.names()).toEqual(['a2']), { timeout: 5000 });
  });

  it('follows a ConfigMap mounted as a directory through atomic swaps of ..data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    const mount = configMapMount(dir, { 'routes.yaml': svc('v1'), 'more.yaml': svc('m1') });
    const store = await startOn([dir], '/');
    expect(store.names()).toEqual(['m1', 'v1']);
    expect(store.diagnostics()).toEqual([]);
    mount.update({ 'routes.yaml': svc('v2'), 'more.yaml': svc('m2') });
    await vi.waitFor(() => expect(store.names()).toEqual(['m2', 'v2']), { timeout: 5000 });
    mount.update({ 'routes.yaml': svc('v3', 'v3b'), 'more.yaml': svc('m2') });
    await vi.waitFor(() => expect(store.names()).toEqual(['m2', 'v3', 'v3b']), { timeout: 5000 });
  });

  it('follows one ConfigMap key mounted as a file (a link through ..data) across swaps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    const mount = configMapMount(dir, { 'routes.yaml': svc('v1') });
    const store = await startOn([join(dir, 'routes.yaml')], '/');
    expect(store.names()).toEqual(['v1']);
    mount.update({ 'routes.yaml': svc('v2') });
    await vi.waitFor(() => expect(store.names()).toEqual(['v2']), { timeout: 5000 });
  });

  // Node's recursive watch reports changes behind a linked directory (as the name of the link):
  // this keeps that true for the versions we run on.
  it('follows changes inside a directory linked from outside the watched one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    writeFileSync(join(elsewhere, 'team.yaml'), svc('t1'));
    symlinkSync(elsewhere, join(dir, 'team'));
    const store = await startOn([dir], '/');
    expect(store.names()).toEqual(['t1']);
    writeFileSync(join(elsewhere, 'team.yaml'), svc('t2'));
    await vi.waitFor(() => expect(store.names()).toEqual(['t2']), { timeout: 5000 });
    writeFileSync(join(elsewhere, 'more.yaml'), svc('m1'));
    await vi.waitFor(() => expect(store.names()).toEqual(['m1', 't2']), { timeout: 5000 });
  });

  it('reports a symbolic link loop once, however often the directory changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    writeFileSync(join(dir, 'a.yaml'), svc('a1'));
    symlinkSync(dir, join(dir, 'loop'));
    const warnings: string[] = [];
    const logger: Logger = { ...quietLogger, warn: (obj) => warnings.push(JSON.stringify(obj)) };
    const store = await startOn([dir], '/', logger);
    expect(store.diagnostics().map((d) => [d.code, d.severity])).toEqual([['SOURCE_WARNING', 'warning']]);
    for (const name of ['a2', 'a3', 'a4']) {
      writeFileSync(join(dir, 'a.yaml'), svc(name));
      await vi.waitFor(() => expect(store.names()).toEqual([name]), { timeout: 5000 });
    }
    expect(store.diagnostics().map((d) => d.code)).toEqual(['SOURCE_WARNING']);
    // One warning in all: the loop, once (no watch errors, nothing per change).
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/symbolic link loop/);
  });

  it('warns while a watched path does not exist, and reads it once it appears', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    const store = await startOn([join(dir, 'later.yaml')], '/');
    expect(store.diagnostics().map((d) => [d.code, d.severity])).toEqual([['SOURCE_WARNING', 'warning']]);
    expect(store.diagnostics()[0]!.message).toMatch(/later\.yaml: does not exist \(yet\)/);
    writeFileSync(join(dir, 'later.yaml'), svc('late'));
    await vi.waitFor(() => expect(store.names()).toEqual(['late']), { timeout: 5000 });
    expect(store.diagnostics()).toEqual([]);
  });

  it('warns while a watched path holds no resources, and stops once it does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    const store = await startOn([dir], '/');
    expect(store.diagnostics().map((d) => d.code)).toEqual(['SOURCE_WARNING']);
    expect(store.diagnostics()[0]!.message).toMatch(/holds no resources/);
    writeFileSync(join(dir, 'a.yaml'), svc('a'));
    await vi.waitFor(() => expect(store.names()).toEqual(['a']), { timeout: 5000 });
    expect(store.diagnostics()).toEqual([]);
  });

  it('keeps the last good contents of a subdirectory that becomes unreadable, with an error, never "file removed"', async () => {
    // Tests run as root, whom file modes do not stop: the read error is injected at the fs layer
    // (the test below does the same with chmod 000 where it can).
    const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
    mkdirSync(join(dir, 'team'));
    writeFileSync(join(dir, 'team', 't.yaml'), svc('t1'));
    writeFileSync(join(dir, 'a.yaml'), svc('a1'));
    let locked = false;
    const fs: ListingFs = {
      ...nodeListingFs,
      readdirSync: (path) => {
        if (locked && path === join(dir, 'team')) {
          throw Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), { code: 'EACCES' });
        }
        return nodeListingFs.readdirSync(path);
      },
    };
    const infos: string[] = [];
    const logger: Logger = { ...quietLogger, info: (_obj, msg) => infos.push(String(msg)) };
    const store = await startOn([dir], '/', logger, fs);
    expect(store.names()).toEqual(['a1', 't1']);
    locked = true;
    writeFileSync(join(dir, 'a.yaml'), svc('a2'));
    await vi.waitFor(() => expect(store.names()).toEqual(['a2', 't1']), { timeout: 5000 });
    expect(store.diagnostics().map((d) => d.code)).toEqual(['SOURCE_ERROR']);
    expect(store.diagnostics()[0]!.message).toMatch(/team: cannot list the directory: EACCES.*last good/);
    expect(infos).not.toContain('file removed');
    locked = false;
    writeFileSync(join(dir, 'a.yaml'), svc('a3'));
    await vi.waitFor(() => expect(store.names()).toEqual(['a3', 't1']), { timeout: 5000 });
    expect(store.diagnostics()).toEqual([]);
    rmSync(join(dir, 'team'), { recursive: true });
    await vi.waitFor(() => expect(store.names()).toEqual(['a3']), { timeout: 5000 });
    expect(infos).toContain('file removed');
  });

  it.skipIf(modesAreIgnored())(
    'keeps the last good contents of a subdirectory made unreadable with chmod 000 (where modes apply)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'attache-watch-'));
      mkdirSync(join(dir, 'team'));
      writeFileSync(join(dir, 'team', 't.yaml'), svc('t1'));
      writeFileSync(join(dir, 'a.yaml'), svc('a1'));
      const store = await startOn([dir], '/');
      chmodSync(join(dir, 'team'), 0);
      try {
        writeFileSync(join(dir, 'a.yaml'), svc('a2'));
        await vi.waitFor(() => expect(store.names()).toEqual(['a2', 't1']), { timeout: 5000 });
        expect(store.diagnostics().map((d) => d.code)).toEqual(['SOURCE_ERROR']);
      } finally {
        chmodSync(join(dir, 'team'), 0o755);
      }
    },
  );
});
