import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface RunningEnvoy {
  pid: number | undefined;
  /** Resolves with Envoy's exit code when it stops, for whatever reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Envoy on the bootstrap `serve` wrote, its output prefixed `envoy |` (the
 * access log included, so each request shows up as it happens). A base id of
 * its own, so it runs beside any other Envoy on the machine.
 */
export function runEnvoy(binary: string, bootstrap: string, print: (line: string) => void): RunningEnvoy {
  const dir = mkdtempSync(join(tmpdir(), 'attache-dev-envoy-'));
  const child: ChildProcess = spawn(
    binary,
    [
      '-c',
      bootstrap,
      '--use-dynamic-base-id',
      '--base-id-path',
      join(dir, 'base-id'),
      '--concurrency',
      '1',
      '-l',
      'warning',
      '--drain-time-s',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => print(`envoy | ${line}`));
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve(code);
    });
    child.once('error', (e) => {
      print(`envoy | could not start ${binary}: ${e.message}`);
      resolve(127);
    });
  });
  return {
    pid: child.pid,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
