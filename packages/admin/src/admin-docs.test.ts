import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAdminServer } from './server.js';

/**
 * docs/admin.md is the only place users learn the admin endpoints: every route
 * the server answers must have its own section there, and every documented
 * section must still be served.
 */
const docs = readFileSync(fileURLToPath(new URL('../../../docs/admin.md', import.meta.url)), 'utf8');

async function servedRoutes(): Promise<string[]> {
  const server = createAdminServer({ state: { snapshot: () => undefined, diagnostics: () => [] } });
  await server.app.ready();
  const tree = server.app.printRoutes({ commonPrefix: false, method: 'GET' });
  await server.close();
  // A tree: "└── / (GET)", then children indented by 4 per level ("    ├── healthz (GET)"),
  // each line's segment appended to its parent's path.
  const paths: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^(.*?)[└├]── (\S+) \(GET\)/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const parent = stack[depth - 1] ?? '';
    const path = parent === '' || parent.endsWith('/') ? `${parent}${m[2]}` : `${parent}/${m[2]}`;
    stack.push(path);
    paths.push(path);
  }
  return paths.sort();
}

describe('docs/admin.md', () => {
  it('has a section for every endpoint the admin server answers, and no other', async () => {
    const served = await servedRoutes();
    expect(served).toContain('/healthz');
    const documented = [...docs.matchAll(/^## `GET (\/\S*)`$/gm)].map(([, path]) => path!).sort();
    expect(documented).toEqual(served);
  });

  it('shows the answers the server really gives before the first compile', async () => {
    const server = createAdminServer({ state: { snapshot: () => undefined, diagnostics: () => [] } });
    const ready = await server.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(docs).toContain(`\`503 ${ready.body}\``);
    const snapshot = await server.app.inject({ url: '/api/snapshot' });
    expect(docs).toContain(`\`404 ${snapshot.body}\``);
    const bad = await server.app.inject({ url: '/api/diagnostics?severity=fatal' });
    expect(bad.statusCode).toBe(400);
    expect(docs).toContain(`\`400 ${bad.body}\``);
    const healthz = await server.app.inject({ url: '/healthz', method: 'HEAD' });
    expect(healthz.statusCode).toBe(200);
    await server.close();
  });
});
