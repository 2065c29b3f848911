import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface KnownDifference {
  case: string;
  reason: string;
  /** Where the docs explain it, e.g. docs/compat.md#invalid-regexes. */
  docs: string;
}

/** Cases where Attaché differs from Emissary on purpose; each needs a reason and a docs anchor. */
export function readKnownDifferences(file: string): KnownDifference[] {
  if (!existsSync(file)) return [];
  const doc = parse(readFileSync(file, 'utf8')) as { differences?: unknown } | null;
  const list = Array.isArray(doc?.differences) ? doc.differences : [];
  return list.map((entry, i) => {
    const e = entry as Partial<KnownDifference>;
    if (typeof e.case !== 'string' || typeof e.reason !== 'string' || typeof e.docs !== 'string') {
      throw new Error(`${file}: differences[${i}] needs case, reason and docs (strings)`);
    }
    return { case: e.case, reason: e.reason, docs: e.docs };
  });
}
