import { type DiagnosticInput, isPlainObject, type Resource, type StoredResource } from '@attache/core';
import { type Document, isMap, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';

export const sourceId = 'source-file';

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
 */
export function parseResourceFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
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
  const diagnostics: DiagnosticInput[] = [];
  const lineOf = (node: Node | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  for (const doc of list as Document.Parsed[]) {
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
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

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
