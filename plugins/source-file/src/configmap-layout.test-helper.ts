import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A directory laid out as the kubelet mounts a ConfigMap: the files live in a
 * hidden timestamped directory, `..data` links to it, and each key is a link
 * through `..data`. An update writes a new timestamped directory and swaps
 * `..data` atomically (a rename over it), then removes the old directory.
 */
export function configMapMount(dir: string, files: Record<string, string>) {
  let generation = 0;
  let current = '';
  const writeGeneration = (contents: Record<string, string>) => {
    generation++;
    const stamped = `..2026_12_06_07_00_0${generation}.00000000${generation}`;
    mkdirSync(join(dir, stamped));
    for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, stamped, name), text);
    return stamped;
  };
  current = writeGeneration(files);
  symlinkSync(current, join(dir, '..data'));
  for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(dir, name));
  return {
    /** Replaces every key's contents the way the kubelet does (keys must stay the same). */
    update(contents: Record<string, string>) {
      const next = writeGeneration(contents);
      symlinkSync(next, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      rmSync(join(dir, current), { recursive: true });
      current = next;
    },
  };
}
