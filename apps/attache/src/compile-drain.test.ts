import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from './cli.js';

/** A Listener and Mappings enough for an output of several 64 KiB writes. */
function manyMappings(count: number): string {
  const listener = `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: { name: http, namespace: default }
spec: { port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: { namespace: { from: ALL } } }
`;
  return (
    listener +
    Array.from(
      { length: count },
      (_, i) => `---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: { name: m${i}, namespace: default }
spec: { hostname: "*", prefix: /m${i}/, service: s${i}:80 }
`,
    ).join('')
  );
}

it('attache compile writes the next piece only once stdout has taken the last (a slow pipe holds no more)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attache-drain-'));
  try {
    writeFileSync(join(dir, 'mappings.yaml'), manyMappings(400));
    const writes: string[] = [];
    let waiting: (() => void) | undefined;
    const run = runCli(['compile', '-f', 'mappings.yaml'], {
      stdout: (text) => {
        // Every write comes after the previous one was let through.
        expect(waiting).toBeUndefined();
        writes.push(text);
      },
      stdoutDrain: () =>
        new Promise<void>((resolve) => {
          waiting = resolve;
        }),
      stderr: () => {},
      cwd: dir,
    });
    // Let the writes through one at a time, each only after the command has stopped to wait.
    let released = 0;
    for (;;) {
      const outcome = await Promise.race([
        run.then(() => 'done'),
        new Promise((r) => setTimeout(r, 5, 'tick')),
      ]);
      if (outcome === 'done') break;
      if (waiting) {
        const release = waiting;
        waiting = undefined;
        released++;
        release();
      }
    }
    expect(await run).toBe(0);
    expect(writes.length).toBeGreaterThan(3);
    expect(released).toBe(writes.length);
    expect(JSON.parse(writes.join(''))).toHaveProperty([
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
