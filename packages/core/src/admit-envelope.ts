import { closestMatch } from './did-you-mean.js';
import { apiGroup, type ResourceKind } from './resource.js';

/** What is wrong with a resource's envelope: the field (a JSON pointer) and a sentence ending in the fix. */
export interface EnvelopeProblem {
  path: string;
  message: string;
}

/**
 * Characters no name may hold: NUL and the other C0/C1 controls, unpaired
 * surrogates (invalid Unicode that JSON can still spell), and U+FFFD, the
 * mark a decoder leaves where the bytes were not UTF-8.
 */
const badCharacter =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Describes the first character of `value` that `badCharacter` finds, for messages. */
export function describeBadCharacter(value: string): string | undefined {
  const match = badCharacter.exec(value);
  if (!match) return undefined;
  const char = match[0];
  const code = `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const at = `(position ${match.index + 1})`;
  if (char === '\u0000') return `a NUL character ${at}`;
  if (char === '\ufffd')
    return `U+FFFD ${at}, the replacement character a decoder leaves for bytes that were not UTF-8`;
  if (char >= '\ud800' && char <= '\udfff')
    return `an unpaired surrogate ${code} ${at}, which is not valid Unicode`;
  return `the control character ${code} ${at}`;
}

function typeName(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'a map'
        : `a ${typeof value}`;
}

/** Printable ASCII only, so none of badCharacter's characters: nearly every name. */
const plainText = /^[\x20-\x7e]*$/;

/**
 * Whether an envelope is sound, in one straight pass: apiVersion, kind and metadata.name
 * non-empty strings, name and namespace (when given) printable ASCII. False says only "look
 * closer" (explainEnvelope). Every input of every compile is checked, 10,000 at 10,000 Mappings,
 * and a one-shot compile runs this in V8's interpreter, where explainEnvelope's loops over field
 * lists and its regular expression cost ~1.5 µs per input.
 */
function isPlainSound(r: Record<string, unknown>): boolean {
  const apiVersion = r.apiVersion;
  const kind = r.kind;
  if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '')
    return false;
  const metadata = r.metadata as Record<string, unknown> | null | undefined;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return false;
  const name = metadata.name;
  if (typeof name !== 'string' || name === '' || !plainText.test(name)) return false;
  const namespace = metadata.namespace;
  return namespace === undefined || (typeof namespace === 'string' && plainText.test(namespace));
}

/**
 * The first problem of the envelope every resource needs: apiVersion and kind
 * strings, metadata with a string name; name and namespace without NUL,
 * control characters or invalid Unicode. Undefined when it is sound.
 */
export function envelopeProblem(resource: unknown): EnvelopeProblem | undefined {
  if (resource !== null && typeof resource === 'object' && !Array.isArray(resource)) {
    if (isPlainSound(resource as Record<string, unknown>)) return undefined;
  }
  return explainEnvelope(resource);
}

/** envelopeProblem, field by field: the first problem and its message (exported for its test). */
export function explainEnvelope(resource: unknown): EnvelopeProblem | undefined {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    return {
      path: '',
      message: 'the document is missing; every resource needs apiVersion, kind and metadata.name',
    };
  }
  const r = resource as Record<string, unknown>;
  for (const field of ['apiVersion', 'kind'] as const) {
    const value = r[field];
    if (value === undefined || value === '') {
      return {
        path: `/${field}`,
        message: `${field} is missing; every resource needs apiVersion, kind and metadata.name`,
      };
    }
    if (typeof value !== 'string') {
      return { path: `/${field}`, message: `${field} is ${typeName(value)}, not a string; write it as text` };
    }
  }
  const metadata = r.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return {
      path: '/metadata/name',
      message:
        metadata === undefined
          ? 'metadata.name is missing; every resource needs apiVersion, kind and metadata.name'
          : `metadata is ${typeName(metadata)}, not a map; write metadata: { name: … }`,
    };
  }
  const name = (metadata as Record<string, unknown>).name;
  if (name === undefined || name === '') {
    return {
      path: '/metadata/name',
      message: 'metadata.name is missing; every resource needs apiVersion, kind and metadata.name',
    };
  }
  if (typeof name !== 'string') {
    return {
      path: '/metadata/name',
      message:
        typeof name === 'number' || typeof name === 'boolean'
          ? `metadata.name is ${typeName(name)} (${String(name)}), not a string; quote it: name: "${String(name)}"`
          : `metadata.name is ${typeName(name)}, not a string; write the name as text`,
    };
  }
  for (const field of ['name', 'namespace'] as const) {
    const value = (metadata as Record<string, unknown>)[field];
    if (field === 'namespace' && value !== undefined && typeof value !== 'string') {
      return {
        path: '/metadata/namespace',
        message: `metadata.namespace is ${typeName(value)}, not a string; quote it`,
      };
    }
    const bad = typeof value === 'string' ? describeBadCharacter(value) : undefined;
    if (bad) {
      return {
        path: `/metadata/${field}`,
        message: `metadata.${field} holds ${bad}; names are DNS labels (a-z, 0-9, "-", "."): rewrite it, and save the file as UTF-8`,
      };
    }
  }
  return undefined;
}

/** Real API groups that look like a misspelling of one we handle, and are not. */
const realGroups = new Set(['x.getambassador.io']);

/**
 * A kind no plugin handles but one within a small edit distance does — a
 * misspelled API group (`getambasador.io/Mapping`) or kind (`Mappnig`). The
 * likely intended apiVersion/kind, or undefined.
 */
export function likelyMeant(
  apiVersion: string,
  kind: string,
  handled: Iterable<ResourceKind>,
): { group: string; kind: string } | undefined {
  const group = apiGroup(apiVersion);
  if (realGroups.has(group)) return undefined;
  const known = [...handled].map((k) => {
    const slash = k.lastIndexOf('/');
    return slash < 0 ? { group: '', kind: k } : { group: k.slice(0, slash), kind: k.slice(slash + 1) };
  });
  const groups = new Set(known.map((k) => k.group).filter((g) => g !== ''));
  // Same group, misspelled kind.
  const sameGroup = known.filter((k) => k.group === group).map((k) => k.kind);
  if (sameGroup.length > 0) {
    const meant = closestMatch(kind, sameGroup);
    return meant ? { group, kind: meant } : undefined;
  }
  // Misspelled group: only when the kind exists in the group it resembles.
  if (group === '') return undefined;
  const meantGroup = closestMatch(group, groups);
  if (!meantGroup) return undefined;
  const kinds = known.filter((k) => k.group === meantGroup).map((k) => k.kind);
  if (kinds.includes(kind)) return { group: meantGroup, kind };
  const meantKind = closestMatch(kind, kinds);
  return meantKind ? { group: meantGroup, kind: meantKind } : undefined;
}
