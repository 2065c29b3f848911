import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const testdata = join(repoRoot, 'plugins/feature-auth/src/testdata');

async function explain(file: string, line: string, ...headers: string[]) {
  let stdout = '';
  const code = await runCli(
    ['explain', '-f', join(testdata, file), line, ...headers.flatMap((h) => ['-H', h])],
    {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stdout += t;
      },
      cwd: repoRoot,
    },
  );
  return { code, stdout };
}

/** The line `attache explain` prints about auth for the route it picked. */
const authLine = (stdout: string) =>
  stdout
    .split('\n')
    .find((l) => l.includes('auth: '))
    ?.replace(/^.*auth: /, '');

describe('attache explain shows the auth decision on the route it picks', () => {
  it('the global AuthService, with the Mapping’s context extensions', async () => {
    const r = await explain('bypass-context.in.yaml', 'GET http://app.example.com/billing/x');
    expect(r.code, r.stdout).toBe(0);
    expect(authLine(r.stdout)).toBe(
      'checked by AuthService default/authn (gRPC) with context extensions {"service":"billing","tier":"gold"}',
    );
  });

  it('bypass_auth, and a host_redirect Mapping, are bypassed', async () => {
    const bypass = await explain('bypass-context.in.yaml', 'GET http://app.example.com/public/x');
    expect(authLine(bypass.stdout)).toBe('bypassed (AuthService default/authn (gRPC) not asked)');
    const moved = await explain('bypass-context.in.yaml', 'GET http://app.example.com/old/x');
    expect(authLine(moved.stdout)).toBe('bypassed (AuthService default/authn (gRPC) not asked)');
  });

  it('per Host and per Mapping: the AuthService each one names', async () => {
    const partner = await explain(
      'per-host-per-mapping.in.yaml',
      'GET http://partners.example.com/reports/x',
    );
    expect(authLine(partner.stdout)).toBe(
      'checked by AuthService default/partner-auth (gRPC) with context extensions {"report":"monthly"}',
    );
    const back = await explain('per-host-per-mapping.in.yaml', 'GET http://partners.example.com/billing/x');
    expect(authLine(back.stdout)).toBe('checked by AuthService default/everyone (HTTP)');
    const admin = await explain('per-host-per-mapping.in.yaml', 'GET http://public.example.com/admin/x');
    expect(authLine(admin.stdout)).toBe(
      'checked by AuthService security/strict (HTTP) with context extensions {"area":"admin"}',
    );
    const plain = await explain('per-host-per-mapping.in.yaml', 'GET http://public.example.com/anything');
    expect(authLine(plain.stdout)).toBe('checked by AuthService default/everyone (HTTP)');
  });
});
