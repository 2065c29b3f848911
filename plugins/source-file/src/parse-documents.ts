import { createRequire } from 'node:module';
import { type DiagnosticInput, isPlainObject, type Resource, type StoredResource } from '@attache/core';
import type { Document, LineCounter, Node } from 'yaml';
import { readBlockYaml } from './block-reader.js';
import { fastParseResourceFile } from './fast-parse.js';

export const sourceId = 'source-file';

// The `yaml` library is loaded the first time a file needs the exact parser: most files take the fast
// reader, and `attache compile` need not pay for loading the library.
const require = createRequire(import.meta.url);
let yamlLibrary: typeof import('yaml') | undefined;
const yaml = () => {
  yamlLibrary ??= require('yaml') as typeof import('yaml');
  return yamlLibrary;
};

/**
 * YAML aliases (`*name`) a document may resolve, as the yaml library counts
 * them (an alias of an anchor that itself holds aliases counts for each).
 * Generous for real files — a shared block referenced by thousands of
 * resources — and still far below a "billion laughs" document.
 */
export const maxAliasCount = 10_000;

/**
 * Values (objects, lists and scalars) a document may hold once its aliases
 * are expanded. Aliases share one object in memory, but every later reader
 * (hashing, JSON output, Envoy) sees the expanded tree; this bound is what
 * keeps a small file from growing into gigabytes there.
 */
export const maxExpandedValues = 1_000_000;

export interface ParsedFile {
  resources: StoredResource[];
  diagnostics: DiagnosticInput[];
  /** True when the file could not be parsed at all: callers keep its last good contents. */
  syntaxError: boolean;
}

/**
 * Parses one file of YAML or JSON documents (JSON is YAML) into resources,
 * each stamped with the line its object starts on. A `kind: List` is
 * unpacked into its items. A syntax error anywhere fails the whole file, so a
 * half-saved file never replaces a good one document by document.
 * `bytes`, the UTF-8 the text was decoded from, if at hand, lets the block reader make long
 * values strings of their own (block-reader.ts, `cut`).
 */
export function parseResourceFile(file: string, text: string, bytes?: Buffer): ParsedFile {
  return (
    readBlockYaml(file, text, sourceId, bytes) ??
    fastParseResourceFile(file, text, sourceId) ??
    parseResourceFileExactly(file, text)
  );
}

/**
 * parseResourceFile with the `yaml` library's document model: every YAML
 * feature, positions for every error. The fast reader leaves to it whatever
 * it is not sure about.
 */
export function parseResourceFileExactly(file: string, text: string): ParsedFile {
  const { LineCounter, isMap, isSeq, parseAllDocuments } = yaml();
  const lineCounter = new LineCounter();
  // YAML 1.1 tags (!!set, !!omap, !!timestamp, !!binary) would become a Set, a Map, a Date or
  // bytes, which no field can hold and which vanished silently; read them as plain data, the
  // way Kubernetes' YAML-to-JSON does, and say so (tagWarnings below).
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, resolveKnownTags: false });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const start = lineCounter.linePos(error.pos[0]);
      const where = `${file}:${start.line}:${start.col}`;
      return {
        resources: [],
        syntaxError: true,
        diagnostics: [
          {
            code: 'SOURCE_ERROR',
            message: `${where}: ${firstLine(error.message)}; fix the YAML (the last good contents of this file stay in use)`,
          },
        ],
      };
    }
  }
  const resources: StoredResource[] = [];
  const diagnostics: DiagnosticInput[] = tagWarnings(file, list as Document.Parsed[], lineCounter);
  const lineOf = (node: Node | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const values: unknown[] = [];
  for (const doc of list as Document.Parsed[]) {
    const line = lineOf(doc.contents);
    const problem = documentValue(doc, values);
    if (problem) {
      // Like a syntax error, the whole file fails: half a file must not replace a good one.
      return {
        resources: [],
        syntaxError: true,
        diagnostics: [
          {
            code: 'SOURCE_ERROR',
            message: `${file}:${line}: ${problem} (the last good contents of this file stay in use)`,
          },
        ],
      };
    }
  }
  for (const [index, doc] of (list as Document.Parsed[]).entries()) {
    const value = values[index];
    if (value === null || value === undefined) continue; // an empty document, e.g. a trailing '---'
    const line = lineOf(doc.contents);
    if (!isPlainObject(value)) {
      diagnostics.push({
        code: 'SOURCE_ERROR',
        message: `${file}:${line}: the document is a ${Array.isArray(value) ? 'list' : typeof value}, not a resource; every document must be an object with apiVersion, kind and metadata`,
      });
      continue;
    }
    if (value.kind === 'List' && Array.isArray(value.items)) {
      const itemNodes = isMap(doc.contents) && doc.contents.get('items', true);
      const nodes = isSeq(itemNodes) ? itemNodes.items : [];
      value.items.forEach((item: unknown, i: number) => {
        const itemLine = lineOf(nodes[i] as Node | undefined) ?? line;
        if (isPlainObject(item)) {
          resources.push({ resource: item as Resource, origin: { source: sourceId, file, line: itemLine } });
        } else {
          diagnostics.push({
            code: 'SOURCE_ERROR',
            message: `${file}:${itemLine}: items[${i}] of the List is not an object; remove it or make it a resource`,
          });
        }
      });
      continue;
    }
    resources.push({ resource: value as Resource, origin: { source: sourceId, file, line } });
  }
  return { resources, diagnostics, syntaxError: false };
}

/** One SOURCE_WARNING per YAML tag that JSON data cannot hold (the value is read untagged). */
function tagWarnings(file: string, docs: Document.Parsed[], lineCounter: LineCounter): DiagnosticInput[] {
  return docs.flatMap((doc) =>
    doc.warnings
      .filter((w) => w.code === 'TAG_RESOLVE_FAILED')
      .map((w) => {
        const at = lineCounter.linePos(w.pos[0]);
        const tag = /tag:yaml\.org,2002:(\w+)/.exec(w.message)?.[1];
        return {
          code: 'SOURCE_WARNING',
          severity: 'warning' as const,
          message: `${file}:${at.line}:${at.col}: the YAML tag ${tag ? `!!${tag}` : 'here'} makes a value JSON cannot hold (Kubernetes reads resources as JSON); the value is read as plain YAML without it — remove the tag`,
        };
      }),
  );
}

/**
 * Converts one document to plain data into `into`, or says why it cannot:
 * too many aliases, an expansion beyond `maxExpandedValues`, or any other
 * failure of the conversion (which must never escape as an exception).
 */
function documentValue(doc: Document.Parsed, into: unknown[]): string | undefined {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/alias count/i.test(message)) {
      return `the document resolves YAML aliases (*name) more than ${maxAliasCount} times, which Attaché refuses as an entity-expansion ("billion laughs") attack; write the repeated blocks out or reference them less`;
    }
    return `the document cannot be read as data: ${firstLine(message)}; fix the YAML`;
  }
  if (expandedValuesExceed(value, maxExpandedValues)) {
    return `the document expands through YAML aliases (*name) to more than ${maxExpandedValues} values, which Attaché refuses as an entity-expansion ("billion laughs") attack; write the repeated blocks out or reference them less`;
  }
  into.push(value);
  return undefined;
}

/** Whether the tree holds more than `limit` values counting every alias expansion; stops as soon as it does. */
function expandedValuesExceed(root: unknown, limit: number): boolean {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++count > limit) return true;
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) stack.push((value as Record<string, unknown>)[key]);
    }
  }
  return false;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
