import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import {
  firstUsableService,
  requestServiceCluster,
  servesAmbassadorId,
  unknownFieldProblems,
} from './feature-service.js';
import { ServiceRequestsExt } from './http-model.js';
import { emptyIR } from './ir.js';
import { definePlugin } from './plugin.js';
import type { StoredResource } from './resource.js';

function gadget(name: string, namespace: string, spec: unknown): StoredResource {
  return {
    resource: {
      apiVersion: 'example.io/v1',
      kind: 'Gadget',
      metadata: { name, namespace },
      spec,
    } as StoredResource['resource'],
    origin: { source: 'test', file: `${name}.yaml`, line: 1 },
  };
}

/** A plugin that uses one Gadget: the chosen one's name lands in `chosen`. */
function gadgetsPlugin(chosen: string[]) {
  return definePlugin({
    id: 'feature-gadgets',
    owns: ['example.io/Gadget'],
    register(reg) {
      reg.diagnostics({
        GADGET_CONFLICT: { severity: 'warning', summary: 'a second usable Gadget' },
        GADGET_SIZE_INVALID: { severity: 'error', summary: 'a Gadget without a numeric size' },
      });
      reg.pass({
        id: 'feature-gadgets.ingest',
        phase: 'ingest',
        reason: 'test',
        writes: [],
        run(ctx) {
          const config = firstUsableService(ctx, {
            kind: 'example.io/Gadget',
            label: 'Gadget',
            conflictCode: 'GADGET_CONFLICT',
            read: (ref, spec) =>
              typeof (spec as { size?: unknown } | undefined)?.size === 'number'
                ? { config: { ref, namespace: ref.namespace ?? 'default' }, problems: [] }
                : {
                    problems: [
                      { code: 'GADGET_SIZE_INVALID', path: '/spec/size', message: 'size must be a number' },
                    ],
                  },
          });
          if (config) chosen.push(`${config.namespace}/${config.ref.name}`);
        },
      });
    },
  });
}

describe('firstUsableService', () => {
  it('keeps the first usable one by namespace/name, reports problems and names the one in use to the others', () => {
    const chosen: string[] = [];
    const result = compile(
      [
        gadget('c', 'b', { size: 1 }),
        gadget('a', 'a', { size: 'big' }),
        gadget('b', 'a', { size: 2 }),
        gadget('z', 'a', { size: 3, ambassador_id: 'other' }),
      ],
      [gadgetsPlugin(chosen)],
    );
    expect(chosen).toEqual(['a/b']);
    expect(result.diagnostics.map((d) => [d.code, d.resource?.name, d.path])).toEqual([
      ['GADGET_SIZE_INVALID', 'a', '/spec/size'],
      ['GADGET_CONFLICT', 'c', undefined],
    ]);
    expect(result.diagnostics[1]!.message).toContain('only one Gadget is supported; a/b');
  });

  it('serves the compilation’s ambassador_id', () => {
    const chosen: string[] = [];
    compile(
      [gadget('a', 'a', { size: 1 }), gadget('b', 'a', { size: 1, ambassador_id: ['blue'] })],
      [gadgetsPlugin(chosen)],
      { ambassadorId: 'blue' },
    );
    expect(chosen).toEqual(['a/b']);
  });
});

describe('servesAmbassadorId', () => {
  it('follows Emissary: none or an empty list is "default", else a string or list naming ours', () => {
    expect(servesAmbassadorId(undefined, 'default')).toBe(true);
    expect(servesAmbassadorId(null, 'blue')).toBe(false);
    expect(servesAmbassadorId([], 'default')).toBe(true);
    expect(servesAmbassadorId('blue', 'blue')).toBe(true);
    expect(servesAmbassadorId(['red', 'blue'], 'blue')).toBe(true);
    expect(servesAmbassadorId(['red'], 'blue')).toBe(false);
    expect(servesAmbassadorId(7, 'default')).toBe(false);
  });
});

describe('unknownFieldProblems', () => {
  it('names each key that is not a known field, at its escaped path, with the fields there are', () => {
    expect(
      unknownFieldProblems({ size: 1, 'a/b': 2, colour: 3 }, ['size', 'parts'], {
        code: 'GADGET_FIELD_UNKNOWN',
        what: 'Gadget',
        at: '/spec',
      }),
    ).toEqual([
      {
        code: 'GADGET_FIELD_UNKNOWN',
        path: '/spec/a~1b',
        message: "Gadget has no field 'a/b' (it has size, parts); ignored",
      },
      {
        code: 'GADGET_FIELD_UNKNOWN',
        path: '/spec/colour',
        message: "Gadget has no field 'colour' (it has size, parts); ignored",
      },
    ]);
    expect(unknownFieldProblems({ size: 1 }, ['size'], { code: 'X', what: 'Gadget', at: '/spec' })).toEqual(
      [],
    );
  });
});

describe('requestServiceCluster', () => {
  it('appends a request for the spec.service cluster, with stats_name when set, and returns its id', () => {
    const ir = emptyIR();
    const ref = { apiVersion: 'getambassador.io/v3alpha1', kind: 'Gadget', name: 'g', namespace: 'ns' };
    const first = requestServiceCluster(
      { ir },
      'feature-gadgets',
      { ref, namespace: 'ns', service: 'svc:80' },
      {
        http2: true,
        namePrefix: 'cluster_gadgets',
      },
    );
    const second = requestServiceCluster(
      { ir },
      'feature-other',
      { ref, namespace: 'ns', service: 'collector', statsName: 'stats' },
      { http2: false, namePrefix: 'cluster_other' },
    );
    expect([first, second]).toEqual(['feature-gadgets/ns/g', 'feature-other/ns/g']);
    expect(ir.ext[ServiceRequestsExt.key]).toEqual([
      {
        id: 'feature-gadgets/ns/g',
        ref,
        namespace: 'ns',
        service: 'svc:80',
        servicePath: '/spec/service',
        http2: true,
        namePrefix: 'cluster_gadgets',
      },
      {
        id: 'feature-other/ns/g',
        ref,
        namespace: 'ns',
        service: 'collector',
        servicePath: '/spec/service',
        http2: false,
        namePrefix: 'cluster_other',
        statsName: 'stats',
      },
    ]);
  });
});
