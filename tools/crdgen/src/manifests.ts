import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface ManifestDocument {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** Every document of every deploy/*.yaml, in `kubectl apply -f deploy/` order (file name, then position). */
export function loadManifests(dir: string): ManifestDocument[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]?.message}`);
        return { file, ...(doc.toJS() as object) } as ManifestDocument;
      }),
    )
    .filter((m) => m.kind !== undefined);
}
