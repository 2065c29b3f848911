/**
 * Label and field selectors as the API server parses them: the equality forms
 * (`a=b`, `a==b`, `a!=b`), set forms (`a in (x,y)`, `a notin (x)`), and
 * existence (`a`, `!a`). Enough for informers and kubectl; not a full grammar.
 */
export type SelectorRequirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'absent' };

export function parseSelector(text: string | null | undefined): SelectorRequirement[] {
  if (!text) return [];
  const requirements: SelectorRequirement[] = [];
  for (const term of splitTerms(text)) {
    const trimmed = term.trim();
    if (!trimmed) continue;
    const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(trimmed);
    if (set) {
      const values = (set[3] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      requirements.push({ key: set[1] ?? '', op: set[2] as 'in' | 'notin', values });
      continue;
    }
    const neq = /^([^\s!=]+)\s*!=\s*(.*)$/.exec(trimmed);
    if (neq) {
      requirements.push({ key: neq[1] ?? '', op: 'neq', value: (neq[2] ?? '').trim() });
      continue;
    }
    const eq = /^([^\s!=]+)\s*==?\s*(.*)$/.exec(trimmed);
    if (eq) {
      requirements.push({ key: eq[1] ?? '', op: 'eq', value: (eq[2] ?? '').trim() });
      continue;
    }
    if (trimmed.startsWith('!')) requirements.push({ key: trimmed.slice(1).trim(), op: 'absent' });
    else requirements.push({ key: trimmed, op: 'exists' });
  }
  return requirements;
}

/** Split on commas that are not inside `( … )`. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms;
}

export function matchesSelector(
  requirements: readonly SelectorRequirement[],
  values: Record<string, string | undefined>,
): boolean {
  return requirements.every((r) => {
    const value = values[r.key];
    switch (r.op) {
      case 'eq':
        return value === r.value;
      case 'neq':
        return value !== r.value;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
      case 'exists':
        return value !== undefined;
      case 'absent':
        return value === undefined;
    }
    return false;
  });
}

/** The fields a field selector can address on any object (the API server supports these for every kind). */
export function selectableFields(
  obj: { metadata?: { name?: string; namespace?: string } } & Record<string, unknown>,
): Record<string, string | undefined> {
  const fields: Record<string, string | undefined> = {
    'metadata.name': obj.metadata?.name,
    'metadata.namespace': obj.metadata?.namespace,
  };
  const type = obj.type;
  if (typeof type === 'string') fields.type = type;
  return fields;
}
