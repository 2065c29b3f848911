import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from './cli.js';
import type { Serving } from './commands/serve.js';

const quickstart = resolve(fileURLToPath(new URL('../../../examples/quickstart', import.meta.url)));

/** Nine levels of ten aliases: a billion "lol"s once expanded. */
function aliasBomb(): string {
  const levels = ['a0: &a0 "lol"'];
  for (let i = 1; i < 10; i++)
    levels.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  ${levels.join('\n  ')}\n`;
}

describe('attache serve on hostile files', () => {
  it('starts with an alias bomb in its watched directory, survives another one mid-watch, and stops with 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-serve-'));
    cpSync(quickstart, join(dir, 'resources'), { recursive: true });
    writeFileSync(join(dir, 'resources', 'bomb.yaml'), aliasBomb());
    writeFileSync(
      join(dir, 'attache.yaml'),
      [
        'sources:',
        '  file: { paths: [resources], debounceMs: 20 }',
        'sinks:',
        '  file: { path: out/envoy.json, mode: static }',
        'debounce: { quietMs: 20, maxMs: 200 }',
        'log: { level: silent }',
        '',
      ].join('\n'),
    );
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => {
      stop = r;
    });
    let serving: Serving | undefined;
    let stderr = '';
    const exit = runCli(['serve', '--config', 'attache.yaml'], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      cwd: dir,
      stopSignal,
      onServing: (s) => {
        serving = s;
      },
    });
    const sourceErrors = () =>
      (serving?.runtime.diagnostics() ?? []).filter((d) => d.code === 'SOURCE_ERROR').map((d) => d.message);
    const clusters = () => {
      try {
        const b = JSON.parse(readFileSync(join(dir, 'out/envoy.json'), 'utf8'));
        return (b.static_resources?.clusters ?? []).length as number;
      } catch {
        return 0;
      }
    };
    await vi.waitFor(() => expect(clusters()).toBeGreaterThan(0), { timeout: 10000, interval: 50 });
    const servedClusters = clusters();
    expect(sourceErrors()).toEqual([expect.stringMatching(/resources\/bomb\.yaml:1: .*aliases/)]);

    // The Mappings file turns into a bomb: its last good contents keep serving.
    writeFileSync(join(dir, 'resources', '30-mappings.yaml'), aliasBomb());
    await vi.waitFor(() => expect(sourceErrors()).toHaveLength(2), { timeout: 10000, interval: 50 });
    expect(sourceErrors().join('\n')).toMatch(/30-mappings\.yaml:1: /);
    expect(serving?.runtime.state).toBe('running');
    expect(clusters()).toBe(servedClusters);

    stop();
    expect(await exit).toBe(0);
    expect(stderr).toBe('');
  });
});
