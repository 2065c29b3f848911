import {
  emptyXdsResources,
  type ResourceRef,
  seededRandom,
  type XdsResource,
  type XdsResources,
  xdsPushOrder,
} from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { WireGroupResult } from './compile-protocol.js';
import { WireResultReader, WireResultWriter } from './wire-result.js';

const ref = (name: string): ResourceRef => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  name,
  namespace: 'default',
});

/** A result the way the compiler makes them: resources kept as the same objects while unchanged. */
function randomStep(last: XdsResources, random: () => number, step: number): XdsResources {
  const next = emptyXdsResources();
  for (const typeUrl of xdsPushOrder) {
    for (const r of last[typeUrl]) {
      const roll = random();
      if (roll < 0.05) continue; // removed
      if (roll < 0.1) {
        // a new version
        next[typeUrl].push({ ...r, version: `v${step}-${r.name}`, resource: { step, name: r.name } });
      } else if (roll < 0.13) {
        // the same refs in another array
        next[typeUrl].push({ ...r, provenance: r.provenance.map((p) => ({ ...p })) });
      } else if (roll < 0.14) {
        // the same names, one ref in another namespace, in another array
        next[typeUrl].push({
          ...r,
          provenance: r.provenance.map((p, j) => (j === 0 ? { ...p, namespace: `ns${step}` } : { ...p })),
        });
      } else if (roll < 0.16) {
        // other refs, same version
        next[typeUrl].push({ ...r, provenance: [ref(`p${step}`)] });
      } else if (roll < 0.18) {
        const flipped: XdsResource = { ...r };
        if (r.byNameOnly) delete flipped.byNameOnly;
        else flipped.byNameOnly = true;
        next[typeUrl].push(flipped);
      } else if (roll < 0.2) {
        // a large resource (its text is kept beside it)
        next[typeUrl].push({ ...r, version: `big${step}`, resource: { big: 'x'.repeat(70 * 1024) } });
      } else next[typeUrl].push(r);
    }
    const added = Math.floor(random() * 4);
    for (let i = 0; i < added; i++) {
      const name = `${typeUrl.slice(-8)}-${step}-${i}`;
      next[typeUrl].push({
        typeUrl,
        name,
        version: `v${step}`,
        resource: { name },
        provenance: [ref(name)],
      });
    }
    if (random() < 0.2)
      next[typeUrl].reverse(); // another order
    else next[typeUrl].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return next;
}

/** The wire message as the worker posts it: structured-cloned, so nothing is shared by reference. */
function post(
  writer: WireResultWriter,
  groups: Map<string, XdsResources>,
): { wire: WireGroupResult[]; commit(): void } {
  const wire: WireGroupResult[] = [];
  const afters: Array<[string, ReturnType<WireResultWriter['write']>['after']]> = [];
  for (const [group, xds] of groups) {
    const { after, ...change } = writer.write(group, { xds });
    wire.push({ group, diagnostics: [], ...change });
    afters.push([group, after]);
  }
  return {
    wire: structuredClone(wire),
    commit: () => {
      for (const [group, after] of afters) writer.remember(group, after);
    },
  };
}

function plain(xds: XdsResources) {
  return xdsPushOrder.map((t) =>
    xds[t].map((r) => ({
      typeUrl: r.typeUrl,
      name: r.name,
      version: r.version,
      resource: r.resource,
      provenance: r.provenance,
      byNameOnly: r.byNameOnly === true,
    })),
  );
}

describe('compile results sent from the worker as changes', () => {
  it('reads back every result exactly, over random edits, in two groups', async () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const writer = new WireResultWriter();
      const reader = new WireResultReader();
      let results = new Map<string, XdsResources>([
        ['default', emptyXdsResources()],
        ['blue', emptyXdsResources()],
      ]);
      for (let step = 0; step < 40; step++) {
        results = new Map([...results].map(([g, xds]) => [g, randomStep(xds, random, step)]));
        const { wire, commit } = post(writer, results);
        commit();
        const read = await reader.read(wire);
        for (const [group, xds] of results) {
          expect(plain(read.get(group)!.xds), `seed ${seed} step ${step} group ${group}`).toEqual(plain(xds));
          for (const t of xdsPushOrder) {
            for (const r of read.get(group)!.xds[t]) {
              const big = JSON.stringify(r.resource).length >= 64 * 1024;
              expect(r.text !== undefined, `${r.name} text kept`).toBe(big);
              if (r.text !== undefined) expect(JSON.parse(r.text)).toEqual(r.resource);
            }
          }
        }
      }
    }
  });

  it('sends only what changed, and the reader keeps the other objects as they were', async () => {
    const writer = new WireResultWriter();
    const reader = new WireResultReader();
    const xds = emptyXdsResources();
    for (let i = 0; i < 1000; i++) {
      xds[xdsPushOrder[1]!].push({
        typeUrl: xdsPushOrder[1]!,
        name: `c${String(i).padStart(4, '0')}`,
        version: 'v1',
        resource: { i },
        provenance: [ref(`m${i}`)],
      });
    }
    const first = post(writer, new Map([['default', xds]]));
    first.commit();
    expect(first.wire[0]!.changed).toHaveLength(1000);
    const read1 = (await reader.read(first.wire)).get('default')!.xds;

    const edited = emptyXdsResources();
    edited[xdsPushOrder[1]!] = xds[xdsPushOrder[1]!].map((r, i) =>
      i === 500
        ? { ...r, version: 'v2', resource: { i, edited: true } }
        : i === 700
          ? { ...r, provenance: [...r.provenance] }
          : r,
    );
    const second = post(writer, new Map([['default', edited]]));
    second.commit();
    // One new version; the copied provenance array names the same refs, so it is not sent.
    expect(second.wire[0]!.changed.map((r) => r.name)).toEqual(['c0500']);
    expect(second.wire[0]!.order).toEqual({});
    const read2 = (await reader.read(second.wire)).get('default')!.xds[xdsPushOrder[1]!];
    expect(read2[500]!.resource).toEqual({ i: 500, edited: true });
    expect(read2.filter((r, i) => r !== read1[xdsPushOrder[1]!][i]).map((r) => r.name)).toEqual(['c0500']);
  });

  it('a change the reader has no earlier copy of throws (the two sides are out of step), and forget() starts over', async () => {
    const writer = new WireResultWriter();
    const xds = emptyXdsResources();
    xds[xdsPushOrder[0]!].push({
      typeUrl: xdsPushOrder[0]!,
      name: 's',
      version: 'v1',
      resource: {},
      provenance: [],
    });
    const first = post(writer, new Map([['default', xds]]));
    first.commit();
    const second = post(writer, new Map([['default', xds]]));
    expect(second.wire[0]!.changed).toEqual([]);
    // A reader that never saw the first result.
    await expect(new WireResultReader().read(second.wire)).rejects.toThrow(
      /changes result 1, but the last one read is none/,
    );
    // A change naming a resource the reader never had.
    const changed = structuredClone(second.wire);
    changed[0]!.changed.push({ typeUrl: xdsPushOrder[0]!, name: 's', version: 'v1' });
    const reader = new WireResultReader();
    await reader.read(first.wire);
    const missing = structuredClone(changed);
    missing[0]!.changed[0]!.name = 'gone';
    await expect(reader.read(missing)).rejects.toThrow(/changed but is not listed/);
    writer.forget();
    const again = post(writer, new Map([['default', xds]]));
    const read = await new WireResultReader().read(again.wire);
    expect(plain(read.get('default')!.xds)).toEqual(plain(xds));
  });
});

describe('large resources read back', () => {
  it('are parsed only when first read, keep their text, and carry their parse over to an unchanged next version', async () => {
    const writer = new WireResultWriter();
    const reader = new WireResultReader();
    const typeUrl = xdsPushOrder[4]!;
    const table = (tag: string): XdsResource => ({
      typeUrl,
      name: 'big',
      version: `v-${tag}`,
      resource: { name: 'big', tag, routes: 'r'.repeat(70 * 1024) },
      provenance: [ref('m')],
    });
    const xds = emptyXdsResources();
    xds[typeUrl].push(table('a'));
    const first = post(writer, new Map([['default', xds]]));
    first.commit();
    const read1 = (await reader.read(first.wire)).get('default')!.xds[typeUrl][0]!;
    expect(Object.getOwnPropertyDescriptor(read1, 'resource')!.get).toBeTypeOf('function');
    expect(Object.keys(read1)).toEqual(['typeUrl', 'name', 'version', 'resource', 'provenance', 'text']);
    expect(read1.resource).toEqual(table('a').resource);
    expect(read1.resource).toBe(read1.resource); // parsed once

    // Only the provenance changes: a new object, the same (already parsed) resource object.
    const next = emptyXdsResources();
    next[typeUrl].push({ ...table('a'), provenance: [ref('n')] });
    const second = post(writer, new Map([['default', next]]));
    second.commit();
    expect(second.wire[0]!.changed).toEqual([
      { typeUrl, name: 'big', version: 'v-a', provenance: [ref('n')] },
    ]);
    const read2 = (await reader.read(second.wire)).get('default')!.xds[typeUrl][0]!;
    expect(read2).not.toBe(read1);
    expect(read2.resource).toBe(read1.resource);
    expect(read2.text).toBe(read1.text);
    expect(JSON.parse(JSON.stringify(read2))).toEqual({
      ...JSON.parse(JSON.stringify(read1)),
      provenance: [ref('n')],
    });
  });
});
