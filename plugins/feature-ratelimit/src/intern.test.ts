import { describe, expect, it } from 'vitest';
import { RateLimitInterner } from './intern.js';
import type { LabelAction } from './labels.js';
import { envoyAction } from './rate-limits.js';

const header = (key: string, headerName: string, skipIfAbsent?: boolean): LabelAction =>
  skipIfAbsent
    ? { kind: 'request_headers', key, headerName, skipIfAbsent }
    : { kind: 'request_headers', key, headerName };
const generic = (key: string, value: string): LabelAction => ({ kind: 'generic_key', key, value });

describe('RateLimitInterner', () => {
  it('gives equal entries one frozen object, with the JSON building each would give', () => {
    const intern = new RateLimitInterner();
    const prefix = [envoyAction(generic('generic_key', 'edge'))];
    const actions: LabelAction[] = [{ kind: 'remote_address' }, header('tenant', 'x-tenant')];
    const a = intern.entry(prefix, actions);
    const b = intern.entry(prefix, [{ kind: 'remote_address' }, header('tenant', 'x-tenant')]);
    expect(b).toBe(a);
    expect(a).toEqual({ stage: 0, actions: [...prefix, ...actions.map(envoyAction)] });
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.actions)).toBe(true);
    // Equal actions are shared across entries too.
    const c = intern.entry(prefix, [header('tenant', 'x-tenant')]);
    expect((c.actions as unknown[])[1]).toBe((a.actions as unknown[])[2]);
  });

  it('keeps entries apart that differ in an action, its order, skip_if_absent or the prefix', () => {
    const intern = new RateLimitInterner();
    const prefix = [envoyAction(generic('generic_key', 'edge'))];
    const entries = [
      intern.entry(prefix, [{ kind: 'remote_address' }, { kind: 'source_cluster' }]),
      intern.entry(prefix, [{ kind: 'source_cluster' }, { kind: 'remote_address' }]),
      intern.entry(prefix, [header('a', 'x-a')]),
      intern.entry(prefix, [header('a', 'x-a', true)]),
      intern.entry([], [header('a', 'x-a')]),
    ];
    expect(new Set(entries).size).toBe(entries.length);
    expect(entries[3]).toEqual({
      stage: 0,
      actions: [
        ...prefix,
        { request_headers: { descriptor_key: 'a', header_name: 'x-a', skip_if_absent: true } },
      ],
    });
  });

  it('keeps lists apart whose strings, joined, would read the same', () => {
    // Pairs whose naive concatenations would be equal.
    const lists: LabelAction[][] = [
      [generic('a', 'b1:c')],
      [generic('a', 'b'), generic('1', 'c')],
      [generic('a1:b', 'c')],
      [header('k', 'x'), { kind: 'source_cluster' }],
      [header('k', 'xs')],
      [generic('s', 'd'), { kind: 'remote_address' }],
      [generic('sd', 'r')],
    ];
    const intern = new RateLimitInterner();
    const entries = lists.map((l) => intern.entry([], l));
    expect(new Set(entries).size).toBe(lists.length);
    expect(entries).toEqual(lists.map((l) => ({ stage: 0, actions: l.map(envoyAction) })));
  });

  it('builds every action kind with the JSON text envoyAction gives (key order included)', () => {
    const intern = new RateLimitInterner();
    const actions: LabelAction[] = [
      { kind: 'source_cluster' },
      { kind: 'destination_cluster' },
      { kind: 'remote_address' },
      header('tenant', 'x-tenant'),
      header('tenant', 'x-tenant', true),
      generic('route', 'm1'),
    ];
    for (const action of actions) {
      expect(JSON.stringify(intern.action(action))).toBe(JSON.stringify(envoyAction(action)));
    }
    // The quick reader's entry points give the same objects as action().
    expect(intern.header('tenant', 'x-tenant', true)).toBe(intern.action(header('tenant', 'x-tenant', true)));
    expect(intern.generic('route', 'm1')).toBe(intern.action(generic('route', 'm1')));
    expect(intern.fixed('remote_address')).toBe(intern.action({ kind: 'remote_address' }));
    // A name that is no header token is left to the full parser.
    expect(intern.header('tenant', 'x tenant', false)).toBeUndefined();
  });
});
