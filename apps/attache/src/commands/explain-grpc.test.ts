import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const testdata = join(repoRoot, 'plugins/feature-grpc/src/testdata');

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

describe('attache explain on a gRPC call: the decisions feature-grpc made on the picked route', () => {
  it('the service-wide Mapping: HTTP/2 upstream, client deadlines honoured, gRPC retry conditions', async () => {
    const r = await explain(
      'method-routing-timeouts.in.yaml',
      'POST http://grpc.example.com:8080/helloworld.Greeter/SayHello',
      '-H',
      'content-type: application/grpc',
      '-H',
      'host: grpc.example.com',
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Mapping default/greeter');
    expect(r.stdout).toContain('HTTP/2');
    expect(r.stdout).toContain('timeout disabled');
    expect(r.stdout).toContain(
      "max stream duration: gRPC: the client's grpc-timeout ends the call (DEADLINE_EXCEEDED; capped at 60.000s, minus 0.005s)",
    );
    expect(r.stdout).toContain('connect-failure,unavailable,resource-exhausted');
  });

  it('grpc_match: the method-level Mapping takes the call when its header matches', async () => {
    const r = await explain(
      'method-routing-timeouts.in.yaml',
      'POST http://grpc.example.com:8080/helloworld.Greeter/SayHello',
      '-H',
      'content-type: application/grpc',
      '-H',
      'host: grpc.example.com',
      '-H',
      'x-canary: yes',
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Mapping default/greeter-sayhello-canary');
    expect(r.stdout).toContain('greeter-canary');
  });
});
