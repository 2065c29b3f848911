import { type DiagnosticInput, isPlainObject, type Resource, type StoredResource } from '@attache/core';
import { FAILSAFE_SCHEMA, loadAll, type State, Type } from 'js-yaml';
import {
  boolValue,
  floatValue,
  intValue,
  isBoolScalar,
  isFloatScalar,
  isIntScalar,
  isNullScalar,
} from './core-scalar.js';

/**
 * The fast way to read a resource file: js-yaml, which builds plain data
 * directly (about ten times faster than the `yaml` library's document
 * model), with the `yaml` library's YAML 1.2 core schema re-created below so
 * that every scalar means the same. It answers only for files it is sure
 * about; anything else — a YAML feature whose reading differs between the two
 * libraries (tags, anchors and aliases, complex or null keys, merge keys,
 * directives), a `kind: List`, a lone CR line break, or any error — returns
 * undefined, and the exact parser (parse-documents.ts) reads the file and
 * names its problems. A differential test holds the two equal.
 */

/**
 * Whether a text needs the exact parser: a YAML feature the two libraries
 * read differently, or may. Every pattern starts with a rare character or a
 * literal, so V8 skips through a large file quickly; the context of the rare
 * characters is checked here rather than with a lookbehind, which V8 would
 * try at every position.
 */
function needsExactParser(text: string): boolean {
  for (const pattern of plainPatterns) if (pattern.test(text)) return true;
  // Tags, anchors, aliases, explicit keys and null keys, where a node starts.
  for (const pattern of indicatorPatterns) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      if (nodeBoundary(text.charCodeAt(m.index - 1))) return true;
    }
  }
  // An implicit block key may be at most 1024 characters: long lines other than flow collections.
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end - start > 1024 && !/^[ \t-]*[{[]/.test(text.slice(start, start + 1100))) return true;
    start = end + 1;
  }
  // A tab in indentation (yaml refuses it, js-yaml does not always).
  for (let i = text.indexOf('\t'); i !== -1; i = text.indexOf('\t', i + 1)) {
    let j = i - 1;
    while (j >= 0 && (text[j] === ' ' || text[j] === '-')) j--;
    if (j < 0 || text[j] === '\n') return true;
  }
  return false;
}

/** Whether a character code may come right before a node: start of text (NaN), white space, ',', '[', '{'. */
function nodeBoundary(c: number): boolean {
  return (
    Number.isNaN(c) ||
    c === 0x20 ||
    c === 0x09 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x2c ||
    c === 0x5b ||
    c === 0x7b
  );
}

const plainPatterns: readonly RegExp[] = [
  // empty (null) keys: ' : x', '{: x}'
  / :(?=[\s,\]}]|$)/m,
  /\t:(?=[\s,\]}]|$)/m,
  /^:(?=[\s,\]}]|$)/m,
  /[,[{]:(?=[\s,\]}]|$)/m,
  // null keys of flow mappings written without a value ({~}, {null}, {,})
  /[{,]\s*(?:(?:~|[Nn]ull|NULL)\s*[,}]|,)/,
  // collections as keys
  /[\]}]\s*:(?=[\s,\]}]|$)/m,
  // a comment right after a quoted scalar or a flow collection (yaml refuses it)
  /["'\]}]#/,
  // merge keys, directives
  /<</,
  /^%/m,
  // a CR that ends a line on its own (js-yaml counts it as a line break, yaml's line counter does not)
  /\r(?!\n)/,
];

const indicatorPatterns: readonly RegExp[] = [
  // tags, anchors, aliases
  /[!&*]/g,
  // explicit (complex) keys
  /\?(?=\s|$)/gm,
  // null keys (yaml makes them '', js-yaml 'null')
  /(?:~|[Nn]ull|NULL):(?=[\s,\]}]|$)/gm,
];

// The `yaml` library's core schema (core-scalar.ts), tried in its order: null, bool, int, float.
const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: isNullScalar,
  construct: () => null,
});
const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: isBoolScalar,
  construct: boolValue,
});
const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: isIntScalar,
  construct: intValue,
});
const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: isFloatScalar,
  construct: floatValue,
});

const coreSchema = FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType] });

export interface FastParsedFile {
  resources: StoredResource[];
  diagnostics: DiagnosticInput[];
  syntaxError: false;
}

/**
 * parseResourceFile's result for files the fast reader is sure about, or
 * undefined: then the exact parser must read the file.
 */
export function fastParseResourceFile(
  file: string,
  text: string,
  source: string,
): FastParsedFile | undefined {
  if (needsExactParser(text)) return undefined;
  // The line of each document's content: the listener sees every node open, the root ones at depth 1.
  const lines: number[] = [];
  // Where each open node's own text starts (nodes js-yaml composes twice share one start).
  const starts: number[] = [];
  let flowRoot = false;
  let unsure = false;
  let values: unknown[];
  try {
    values = loadAll(text, null, {
      schema: coreSchema,
      listener(event: string, state: State) {
        // js-yaml 4.3 counts nesting in `depth` (absent from @types/js-yaml 4.0.9).
        const depth = (state as State & { depth: number }).depth;
        const input = state.input;
        if (event === 'open') {
          const start = contentStart(input, state.position);
          starts.push(start);
          if (depth === 1) {
            lines.push(state.line + 1);
            flowRoot = input[start] === '{' || input[start] === '[';
          }
          return;
        }
        const start = starts.pop()!;
        if (depth === 1 || unsure) return;
        const first = input[start];
        if (state.kind === 'mapping' || state.kind === 'sequence') {
          // A collection as a key: js-yaml names it '[object Object]' or joins a list, yaml prints it.
          // With ':' after it it is one; in a flow mapping, so is any entry not right after a ':' ({a: 1, [b]}).
          if (input[contentStart(input, state.position)] === ':') unsure = true;
          else {
            let parent = starts.length - 1;
            while (parent >= 0 && starts[parent] === start) parent--;
            if (parent >= 0 && input[starts[parent]!] === '{' && previousChar(input, start) !== ':')
              unsure = true;
          }
        }
        if (flowRoot) return;
        // In block context the two libraries judge the indentation of a flow node's later lines
        // differently (js-yaml accepts a quoted string's line that yaml refuses): the exact parser decides.
        const flow =
          state.kind === 'scalar' ? first !== '|' && first !== '>' : first === '{' || first === '[';
        if (flow && spansLines(input, start, state.position)) unsure = true;
      },
    }) as unknown[];
  } catch {
    return undefined;
  }
  if (unsure) return undefined;
  if (lines.length !== values.length) return undefined;
  const resources: StoredResource[] = [];
  const diagnostics: DiagnosticInput[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue; // an empty document, e.g. a trailing '---'
    const line = lines[i]!;
    if (!isPlainObject(value)) {
      diagnostics.push({
        code: 'SOURCE_ERROR',
        message: `${file}:${line}: the document is a ${Array.isArray(value) ? 'list' : typeof value}, not a resource; every document must be an object with apiVersion, kind and metadata`,
      });
      continue;
    }
    // A List's items carry their own lines: the exact parser knows them.
    if (value.kind === 'List') return undefined;
    resources.push({ resource: value as Resource, origin: { source, file, line } });
  }
  return { resources, diagnostics, syntaxError: false };
}

/** Where a node's own text starts: after spaces, line breaks and comments before it. */
function contentStart(input: string, position: number): number {
  let i = position;
  for (;;) {
    const c = input.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */) {
      const end = input.indexOf('\n', i);
      if (end === -1) return input.length;
      i = end + 1;
    } else return i;
  }
}

/** Whether a node's text, without the spaces and line breaks js-yaml may have read after it, holds a line break. */
function spansLines(input: string, start: number, end: number): boolean {
  let last = end;
  while (last > start) {
    const c = input.charCodeAt(last - 1);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    last--;
  }
  const lineBreak = input.indexOf('\n', start);
  return lineBreak !== -1 && lineBreak < last;
}

/** The character before `position`, spaces and line breaks skipped. */
function previousChar(input: string, position: number): string | undefined {
  let i = position - 1;
  while (i >= 0) {
    const c = input.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return input[i];
    i--;
  }
  return undefined;
}
