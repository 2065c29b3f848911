import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const testdata = join(repoRoot, 'plugins/feature-tcp/src/testdata');

async function explain(file: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['explain', '-f', join(testdata, file), ...args], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: repoRoot,
  });
  return { code, stdout, stderr };
}

const line = (stdout: string, label: string) =>
  stdout
    .split('\n')
    .find((l) => l.startsWith(label))
    ?.slice(label.length)
    .trim();

describe("attache explain 'TCP …': one raw connection", () => {
  it('TLS with an SNI a TLSContext serves: listener, chain, TLS terminated, cluster', async () => {
    const r = await explain('sni-beside-http.in.yaml', 'TCP tls://db.example.com:8443');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(line(r.stdout, 'Listener')).toMatch(/^default\/edge-https on 0\.0\.0\.0:8443/);
    expect(line(r.stdout, 'Filter chain')).toMatch(
      /tcpmapping\/default\/db, selected by server name db\.example\.com/,
    );
    expect(line(r.stdout, 'TLS')).toMatch(/^terminated by Envoy \(certificate .*edge-cert/);
    expect(line(r.stdout, 'Upstream')).toMatch(/postgres\.db:5432 {2}\(from TCPMapping default\/db\)$/);
  });

  it('TLS nothing terminates: passed through; an HTTP Host’s name on the same port: HTTP', async () => {
    const legacy = await explain('sni-beside-http.in.yaml', 'TCP tls://legacy.example.com:8443');
    expect(line(legacy.stdout, 'TLS')).toMatch(/^passed through unopened/);
    expect(line(legacy.stdout, 'Upstream')).toContain('legacy-tls:443');
    const app = await explain('sni-beside-http.in.yaml', 'TCP tls://app.example.com:8443');
    expect(app.code).toBe(1);
    expect(app.stdout).toContain("attache explain 'GET https://app.example.com:8443/'");
  });

  it('weighted TCPMappings: each cluster with its share', async () => {
    const r = await explain('weights.in.yaml', 'TCP tcp://127.0.0.1:7000', '--json');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as {
      handling: string;
      upstreams: Array<{ target: string; share: number }>;
    };
    expect(e.handling).toBe('tcp_proxy');
    expect(e.upstreams.map((u) => [u.target, u.share])).toEqual([
      ['STRICT_DNS game-blue:7000', 0.3],
      ['STRICT_DNS game-green:7000', 0.7],
    ]);
  });

  it('a port nobody listens on is exit 1 with the reason; a malformed target is a usage error', async () => {
    const none = await explain('weights.in.yaml', 'TCP tcp://127.0.0.1:9');
    expect(none.code).toBe(1);
    expect(line(none.stdout, 'No upstream')).toMatch(/^no listener on port 9/);
    const bad = await explain('weights.in.yaml', 'TCP db.example.com');
    expect(bad.code).toBe(2);
  });
});
