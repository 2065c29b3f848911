import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKubeApiServer, startFakeKubeApiServer } from './kube-fake-apiserver.js';

const run = promisify(execFile);

async function kubectlAvailable(): Promise<boolean> {
  try {
    await run('kubectl', ['version', '--client']);
    return true;
  } catch {
    return false;
  }
}

const hasKubectl = await kubectlAvailable();

/** The fake must be honest enough for the real client: kubectl's discovery, apply (get + create/patch), get and delete. */
describe.skipIf(!hasKubectl)('FakeKubeApiServer with kubectl', () => {
  let server: FakeKubeApiServer;
  let dir: string;
  const kubectl = async (...args: string[]) => {
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      join(dir, 'kubeconfig'),
      '--cache-dir',
      join(dir, 'cache'),
      ...args,
    ]);
    return stdout;
  };

  beforeAll(async () => {
    server = await startFakeKubeApiServer();
    dir = mkdtempSync(join(tmpdir(), 'attache-kubectl-'));
    writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig());
  });
  afterAll(async () => {
    await server.stop();
  });

  it('applies a CRD and a custom resource, then gets and deletes it', async () => {
    writeFileSync(
      join(dir, 'widgets.yaml'),
      [
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'metadata: { name: widgets.example.com }',
        'spec:',
        '  group: example.com',
        '  scope: Namespaced',
        '  names: { plural: widgets, singular: widget, kind: Widget }',
        '  versions:',
        '  - name: v1',
        '    served: true',
        '    storage: true',
        '    schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'widget.yaml'),
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w1, namespace: default }\nspec: { size: 3 }\n',
    );
    await kubectl('apply', '--validate=false', '-f', join(dir, 'widgets.yaml'));
    await kubectl('apply', '--validate=false', '-f', join(dir, 'widget.yaml'));
    const got = JSON.parse(await kubectl('get', 'widgets', '-n', 'default', '-o', 'json'));
    expect(got.items.map((i: { spec: unknown }) => i.spec)).toEqual([{ size: 3 }]);
    await kubectl('delete', 'widget', 'w1', '-n', 'default');
    expect(server.get('example.com/v1', 'Widget', 'default', 'w1')).toBeUndefined();
  });
});
