import { readFileSync } from 'node:fs';
import { createFileRegistry, type DescMessage, fromBinary } from '@bufbuild/protobuf';
import { nestedTypes } from '@bufbuild/protobuf/reflect';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { createLazyFileRegistry, indexFileDescriptorSet } from './lazy-registry.js';

const bytes = readFileSync(new URL('../gen/envoy.binpb', import.meta.url));
const eager = () => createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes));

/** A descriptor's shape: its kind and name, and its fields' names, numbers and the names of their types. */
function shape(desc: ReturnType<ReturnType<typeof eager>['get']>): string {
  if (!desc) return 'undefined';
  if (desc.kind === 'message')
    return `message ${desc.typeName} ${desc.fields
      .map(
        (f) => `${f.name}=${f.number}:${f.fieldKind}:${f.message?.typeName ?? f.enum?.typeName ?? f.scalar}`,
      )
      .join(',')}`;
  if (desc.kind === 'enum') return `enum ${desc.typeName} ${desc.values.map((v) => v.number).join(',')}`;
  if (desc.kind === 'extension')
    return `extension ${desc.typeName} of ${desc.extendee.typeName} #${desc.number}`;
  return `service ${desc.typeName} ${desc.methods.map((m) => m.name).join(',')}`;
}

describe('createLazyFileRegistry', () => {
  it('answers for every type, nested ones too, what the eager registry answers', () => {
    const all = eager();
    let checked = 0;
    // A fresh lazy registry per starting point would be slow; one registry asked in a scrambled order.
    const lazy = createLazyFileRegistry(bytes);
    const names = [...all].map((t) => t.typeName).reverse();
    for (const name of names) {
      const want = all.get(name)!;
      expect(shape(lazy.get(name)), name).toBe(shape(want));
      expect(lazy.getMessage(name)?.typeName).toBe(all.getMessage(name)?.typeName);
      expect(lazy.getEnum(name)?.typeName).toBe(all.getEnum(name)?.typeName);
      expect(lazy.getExtension(name)?.typeName).toBe(all.getExtension(name)?.typeName);
      expect(lazy.getService(name)?.typeName).toBe(all.getService(name)?.typeName);
      checked++;
    }
    expect(checked).toBeGreaterThan(700);
    for (const missing of [
      'envoy.config.cluster.v3.Nope',
      'nope',
      'envoy.config.cluster.v3.Cluster.Nope.Deeper',
    ])
      expect(lazy.get(missing)).toBeUndefined();
  });

  it('finds every extension of a message by number, as the eager registry does', () => {
    const all = eager();
    for (const ext of [...all].filter((t) => t.kind === 'extension')) {
      // A fresh registry: getExtensionFor must build the extending file itself.
      const lazy = createLazyFileRegistry(bytes);
      const extendee = lazy.getMessage(ext.extendee.typeName)!;
      expect(lazy.getExtensionFor(extendee, ext.number)?.typeName, ext.typeName).toBe(ext.typeName);
      expect(lazy.getExtensionFor(extendee, 536_870_000)).toBeUndefined();
    }
  });

  it('shares descriptors: a field’s message is the registry’s own descriptor of it', () => {
    const lazy = createLazyFileRegistry(bytes);
    const cluster = lazy.getMessage('envoy.config.cluster.v3.Cluster')!;
    for (const field of cluster.fields) {
      if (field.message) expect(lazy.getMessage(field.message.typeName)).toBe(field.message);
    }
    const address = lazy.getMessage('envoy.config.core.v3.Address');
    expect(lazy.getMessage('envoy.config.listener.v3.Listener')!.field.address!.message).toBe(address);
  });

  it('builds only the files a type needs, and all of them when iterated (files in the set’s order)', () => {
    const lazy = createLazyFileRegistry(bytes);
    const total = indexFileDescriptorSet(bytes).files.size;
    const route: DescMessage = lazy.getMessage('envoy.config.route.v3.RouteConfiguration')!;
    expect(route.file.name).toBe('envoy/config/route/v3/route');
    // route.proto and what it imports, directly or not: a part of the set.
    const closure = new Set<string>();
    const visit = (file: DescMessage['file']) => {
      if (closure.has(file.proto.name)) return;
      closure.add(file.proto.name);
      file.dependencies.forEach(visit);
    };
    visit(route.file);
    expect(lazy.builtFiles).toBe(closure.size);
    expect(lazy.builtFiles).toBeLessThan(total / 2);
    const all = eager();
    expect([...lazy.files].map((f) => f.proto.name)).toEqual([...all.files].map((f) => f.proto.name));
    // The same types (each file's in the order nestedTypes gives them, which is not the eager registry's).
    expect([...lazy].map((t) => t.typeName).sort()).toEqual([...all].map((t) => t.typeName).sort());
    expect(lazy.getFile('envoy/config/route/v3/route.proto')).toBe(route.file);
    expect([...nestedTypes(route.file)].length).toBeGreaterThan(0);
  });

  it('lists a file’s imports as the registry’s own files (the set has no public imports, which it relies on)', () => {
    const lazy = createLazyFileRegistry(bytes);
    const all = [...lazy.files];
    for (const file of all) {
      expect(file.proto.publicDependency, file.proto.name).toEqual([]);
      expect(file.dependencies.map((d) => d.proto.name)).toEqual(file.proto.dependency);
      for (const dep of file.dependencies) expect(lazy.getFile(dep.proto.name)).toBe(dep);
    }
  });

  it('refuses a damaged descriptor set instead of reading past its end', () => {
    expect(() => createLazyFileRegistry(bytes.subarray(0, bytes.length - 7))).toThrow(/truncated/);
  });
});
