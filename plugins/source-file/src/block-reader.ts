import { Buffer } from 'node:buffer';
import type { DiagnosticInput, Resource, StoredResource } from '@attache/core';
import { plainScalarValue } from './core-scalar.js';

/**
 * The fastest way to read a resource file: a reader of its own for the block
 * YAML most resource files are written in (`key: value`, `- item`, `---`
 * between documents, comments), which builds the plain data in one pass over
 * the text and notes only the line each document starts on. It answers only
 * for files made entirely of what it knows, and reads them as the exact
 * parser (parse-documents.ts) does:
 *
 * - every document a block mapping at column 0 (or only comments);
 * - keys: a letter or `_`, then letters, digits, `_ . / -` (no key that the
 *   core schema reads as null or a boolean, no `__proto__`, none twice);
 * - values: plain scalars on one line (resolved with the core schema,
 *   core-scalar.ts), single- or double-quoted scalars on one line (JSON's
 *   escapes only), `{}` and `[]`, nested block mappings and sequences (a
 *   sequence may sit at its key's indentation);
 * - comments on their own line or after a value.
 *
 * Anything else — flow collections, block scalars (`|`, `>`), multi-line
 * scalars, tags, anchors, tabs, CR, control characters, `...`, directives,
 * `--- value`, a `kind: List` — makes it decline (undefined) at once, and
 * the next reader (fast-parse.ts, then the exact parser) reads the file and
 * names its problems, with their positions. A differential test holds it
 * equal to the exact parser.
 */
export function readBlockYaml(
  file: string,
  text: string,
  source: string,
  bytes?: Buffer,
  /**
   * false: every line the long way (the tests' reference for the short way); 'only': the documents
   * the short way reads from the start, up to the first it leaves (the tests' way of seeing what it takes).
   */
  shortWay: boolean | 'only' = true,
): { resources: StoredResource[]; diagnostics: DiagnosticInput[]; syntaxError: false } | undefined {
  if (unsupportedCharacter.test(text)) return undefined;
  // Valid UTF-8 decodes to as many UTF-16 units as bytes only when every byte is ASCII.
  const reader = new BlockReader(
    text,
    bytes !== undefined && bytes.length === text.length ? bytes : undefined,
  );
  const resources: StoredResource[] = [];
  try {
    for (;;) {
      if (shortWay) reader.documentsTheShortWay(resources, source, file);
      if (shortWay === 'only') break;
      reader.peek();
      if (reader.kind === Line.End) break;
      if (reader.kind === Line.DocumentStart) {
        reader.nextLine();
        continue;
      }
      if (reader.indent !== 0) return undefined;
      const line = reader.line;
      const value = reader.mapping(0, reader.lineStart);
      if (reader.kind === Line.Content) return undefined; // more at column 0 that is not a key
      if (value.kind === 'List') return undefined; // the exact parser gives a List's items their lines
      resources.push({ resource: value as unknown as Resource, origin: { source, file, line } });
    }
  } catch (e) {
    if (e === declined) return undefined;
    throw e;
  }
  return { resources, diagnostics: [], syntaxError: false };
}

/** Tabs, CR, and the characters YAML does not allow or may read specially (BOM, C0/C1 controls, NEL, LS, PS, non-characters). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it looks for
const unsupportedCharacter = /[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

/** Thrown (never escapes readBlockYaml) where the text holds something this reader leaves to the others. */
const declined = Symbol('declined');

enum Line {
  Content,
  DocumentStart,
  End,
}

const SPACE = 0x20;
const LF = 0x0a;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/** Keys the core schema would read as null or a boolean (the exact parser then names them 'null', 'true', …). */
const nonStringKey = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;

/** nonStringKey, tried only for keys of 4 or 5 characters starting with n, t or f (either case). */
function maybeNonStringKey(first: number, key: string): boolean {
  const lower = first | 0x20;
  return (
    (key.length === 4 || key.length === 5) &&
    (lower === 0x6e || lower === 0x74 || lower === 0x66) &&
    nonStringKey.test(key)
  );
}

class BlockReader {
  /** The current line: where it starts, its 1-based number, where it ends (its '\n' or the text's end). */
  lineStart = 0;
  line = 1;
  lineEnd = 0;
  /** What peek() found: a line with content (its indentation), a '---' line, or the end of the text. */
  kind: Line = Line.End;
  indent = 0;

  /** `ascii`: the text's bytes, when every one is ASCII (so an offset in one is the same in the other). */
  constructor(
    private readonly text: string,
    private readonly ascii: Buffer | undefined,
  ) {
    this.hashes = new ForwardSearch(text, '#');
    this.backslashes = new ForwardSearch(text, '\\');
  }

  /**
   * The last long scalar (`ownStringFrom` characters or more) read of each length and first
   * character, taken again as keys are (recentKeys): files repeat `apiVersion`'s and a Host's
   * `hostname`'s values, and one string for all of them also compares equal at once downstream.
   */
  private readonly recentValues = new Map<number, string>();

  /**
   * The text from `from` to `to` as a value. V8 makes a substring of 13 characters or more a slice
   * (a view into the file's text), which it compares, sorts and hashes through its runtime: the
   * compile's sort of 10,000 prefixes took 11 ms as slices against 4 ms as strings of their own,
   * and Map lookups of 10,000 services 11 against 5 ms (one process each, CLI interrupt budget).
   * A long value is therefore made from the bytes when the text is ASCII (latin1Slice: a string
   * of its own, ~0.2 µs more than a slice), and taken again when the last one of its length and
   * first character is the same text.
   */
  private cut(from: number, to: number): string {
    const text = this.text;
    if (to - from < ownStringFrom) return text.slice(from, to);
    const id = (to - from) * 0x10000 + text.charCodeAt(from);
    const recent = this.recentValues.get(id);
    if (recent !== undefined && text.startsWith(recent, from)) return recent;
    const value = this.ascii !== undefined ? latin1Slice(this.ascii, from, to) : text.slice(from, to);
    this.recentValues.set(id, value);
    return value;
  }

  /**
   * The last key read of each length and first character: documents repeat their keys
   * (`apiVersion`, `metadata`, `name`, `spec`, …), and one already made is taken again after
   * comparing it in place, instead of cutting a new string out of the text for every key.
   */
  private readonly recentKeys = new Map<number, string>();

  /**
   * The key from `from` (a letter or '_', so ASCII) to `to` (the first ':' after it on the line),
   * or a throw of `declined` if it is not one this reader takes: a character that cannot be in a
   * key, more than 1,024 characters, a key the core schema reads as null or a boolean, or
   * `__proto__`. A key already read (recentKeys) has passed those checks, so only new keys are
   * looked at, character by character: the first ':' ends a key either way, since a key holds no ':'.
   */
  private keyAt(from: number, to: number): string {
    const text = this.text;
    const first = text.charCodeAt(from);
    const id = ((to - from) << 7) | first;
    const recent = this.recentKeys.get(id);
    if (recent !== undefined && text.startsWith(recent, from)) return recent;
    for (let i = from + 1; i < to; i++) if (keyChar[text.charCodeAt(i)] !== 1) throw declined;
    const key = text.slice(from, to);
    if (key.length > 1024 || maybeNonStringKey(first, key) || key === '__proto__') throw declined;
    this.recentKeys.set(id, key);
    return key;
  }

  /**
   * Line beginnings seen before (Head), by column and form (`2 * column`, and + 1 for ':\n'),
   * then by key: documentsTheShortWay's way of knowing a line at once.
   */
  private readonly heads: (Map<string, Head> | undefined)[] = [];
  /** The Heads of sequence items ('- key: '), by their text. */
  private readonly itemHeads = new Map<string, Head>();
  /** The text's character codes as bytes for documentsTheShortWay (codesOf), made when it first runs. */
  private codes: Uint8Array | undefined = undefined;
  /** The Head of the first line of the last document read the short way. */
  private firstHead: Head | undefined = undefined;

  /**
   * Reads whole documents from the current line the short way, while they hold only the lines
   * most files are made of: `key: value` with a one-line value that lineValue's rules take
   * (a plain scalar without ' #', ': ', a final ':' or space and with an ordinary first
   * character; a double-quoted one without backslashes), `key:` with a block mapping or nothing
   * under it, and '---' between documents. Each line is known by its Head, most often by
   * comparing it in place with the Head that followed the previous line's last time (one
   * `startsWith`): per line a handful of native calls and no method call, where the long way
   * (mapping, scalar, peek) costs several times that while V8 still runs this code unoptimised.
   * The state lives in local variables for the same reason (a property load is a call there).
   * At the first line of any other form (or a `kind: List`), it goes back to the start of that
   * document, which the long way then reads, with the same result or the same refusal: the short
   * way takes only lines both read alike.
   */
  documentsTheShortWay(resources: StoredResource[], source: string, file: string): void {
    const text = this.text;
    const length = text.length;
    const ascii = this.ascii;
    const recentValues = this.recentValues;
    // What the character tests read: an element of a byte array is a load where V8 has optimised
    // the code, where charCodeAt is a call there or a loop over string representations here.
    this.codes ??= codesOf(text, ascii);
    const codes = this.codes;
    const heads = this.heads;
    const itemHeads = this.itemHeads;
    let p = this.lineStart;
    let line = this.line;
    // The first '#' and '\\' at or after a position no later than the value being read.
    let hash = -1;
    let backslash = -1;
    // The Head of the line at p after block() returns (undefined: no Head, such as '---').
    let after: Head | undefined;

    /**
     * The Head the line at p starts with, or undefined if it has none, when it is not `prev.next`
     * (which the callers try first): `prev.alt`, the one before it, or else the Head of that key.
     * Either becomes `prev.next`, and the one it replaces `prev.alt`.
     */
    const headAt = (prev: Head | undefined): Head | undefined => {
      if (prev !== undefined) {
        const alt = prev.alt;
        if (alt !== undefined && text.startsWith(alt.text, p)) {
          prev.alt = prev.next;
          prev.next = alt;
          return alt;
        }
      }
      let k = p;
      while (codes[k]! === SPACE) k++;
      // A sequence item whose value is a mapping: '- ' (then more spaces, if any) before its first key.
      let dash = -1;
      if (codes[k]! === DASH && codes[k + 1]! === SPACE) {
        dash = k - p;
        k += 2;
        while (codes[k]! === SPACE) k++;
      }
      if (keyStart[codes[k]!] !== 1) return undefined;
      const colon = text.indexOf(':', k + 1);
      if (colon === -1) return undefined;
      const end = codes[colon + 1];
      const nested = end === LF;
      if (!nested && end !== SPACE) return undefined;
      // Items' Heads by their whole text (the dash's column and the key's), others by column and form, then key.
      let byKey: Map<string, Head> | undefined = itemHeads;
      if (dash === -1) {
        const slot = nested ? 2 * (k - p) + 1 : 2 * (k - p);
        byKey = heads[slot];
        if (byKey === undefined) {
          byKey = new Map();
          heads[slot] = byKey;
        }
      }
      const key = text.slice(k, colon);
      const lookup = dash === -1 ? key : text.slice(p, colon + 2);
      let head = byKey.get(lookup);
      if (head === undefined) {
        // A key never seen at this column: checked once, as keyAt does.
        for (let i = k + 1; i < colon; i++) if (keyChar[codes[i]!] !== 1) return undefined;
        if (key.length > 1024 || maybeNonStringKey(key.charCodeAt(0), key) || key === '__proto__')
          return undefined;
        head = new Head(text.slice(p, colon + 2), key, k - p, nested, dash);
        byKey.set(lookup, head);
      }
      if (prev !== undefined) {
        prev.alt = prev.next;
        prev.next = head;
      }
      return head;
    };

    /** cut(), with the reader's state at hand. */
    const cut = (from: number, to: number): string => {
      if (to - from < ownStringFrom) return text.slice(from, to);
      const id = (to - from) * 0x10000 + codes[from]!;
      const recent = recentValues.get(id);
      if (recent !== undefined && text.startsWith(recent, from)) return recent;
      const value = ascii !== undefined ? latin1Slice(ascii, from, to) : text.slice(from, to);
      recentValues.set(id, value);
      return value;
    };

    /**
     * The block mapping at `column` whose first line (at p) starts with `head`, up to the first
     * line indented less (its Head left in `after`) or the document's end; undefined at a line
     * of any other form.
     */
    const block = (column: number, head: Head): Record<string, unknown> | undefined => {
      const map: Record<string, unknown> = {};
      let h: Head | undefined = head;
      for (;;) {
        const key = h.key;
        if (Object.hasOwn(map, key)) return undefined;
        const from = p + h.width;
        if (h.nested) {
          p = from;
          line++;
          const predicted: Head | undefined = h.next;
          const next = predicted !== undefined && text.startsWith(predicted.text, p) ? predicted : headAt(h);
          if (next !== undefined && next.dash !== -1) {
            // A sequence of mappings: indented more, or at the key's own column (as YAML allows after
            // a key); an item indented less leaves 'key:' null and ends this mapping (below).
            if (next.dash >= column) {
              const value = sequence(next.dash, next);
              if (value === undefined) return undefined;
              map[key] = value;
              h = after;
            } else {
              map[key] = null;
              h = next;
            }
          } else if (next !== undefined && next.column > column) {
            const value = block(next.column, next);
            if (value === undefined) return undefined;
            map[key] = value;
            h = after;
          } else {
            map[key] = null; // nothing indented more under 'key:'
            h = next;
          }
        } else {
          const end = text.indexOf('\n', from);
          if (end === -1) return undefined;
          let value: unknown;
          // The plain value this line's Head had last (half of all values at 10 x 10,000): the
          // same text passes the same checks and means the same, so it is taken again, string
          // and all (`last` is never quoted, so a quoted value never matches it).
          const last = h.last;
          const c = codes[from]!;
          if (last !== undefined && end - from === last.length && text.startsWith(last, from)) {
            value = h.lastValue;
          } else if (c === DQUOTE) {
            const close = end - 1;
            if (close <= from || codes[close] !== DQUOTE || text.indexOf('"', from + 1) !== close)
              return undefined;
            if (backslash < from) {
              backslash = text.indexOf('\\', from);
              if (backslash === -1) backslash = length;
            }
            if (backslash < close) return undefined;
            value = cut(from + 1, close);
          } else {
            if (plainFast[c] !== 1) return undefined;
            const last = codes[end - 1];
            if (last === SPACE || last === COLON) return undefined;
            if (hash < from) {
              hash = text.indexOf('#', from);
              if (hash === -1) hash = length;
            }
            if (hash < end) return undefined;
            // No ': ' in it (most values have no ':' at all: one search for a character first).
            const colon = text.indexOf(':', from);
            if (colon !== -1 && colon < end) {
              const colonSpace = text.indexOf(': ', colon);
              if (colonSpace !== -1 && colonSpace < end) return undefined;
            }
            const data = end - from < ownStringFrom ? text.slice(from, end) : cut(from, end);
            // A letter (or '~') first: only the core schema's null and boolean words, 5 letters at most, are not strings.
            value = mayResolve[c] === 1 && (end - from < 6 || c < 0x41) ? plainScalarValue(data) : data;
            h.last = data;
            h.lastValue = value;
          }
          map[key] = value;
          p = end + 1;
          line++;
          // Most often the line that followed last time.
          const next: Head | undefined = h.next;
          h = next !== undefined && text.startsWith(next.text, p) ? next : headAt(h);
        }
        if (h === undefined) {
          after = undefined;
          // The document's end, or a line the long way reads.
          return p === length || text.startsWith('---\n', p) ? map : undefined;
        }
        if (h.dash !== -1) {
          // An item: of a sequence this mapping is in, if its dash is left of this mapping's keys.
          if (h.dash >= column) return undefined;
          after = h;
          return map;
        }
        if (h.column === column) continue;
        if (h.column > column) return undefined;
        after = h;
        return map;
      }
    };

    /**
     * The block sequence whose dashes sit at `dash`, each item a mapping whose first key follows its
     * dash on the line (`head`, the first item's), up to the first line that is not its next item
     * (its Head left in `after`) or the document's end; undefined at a line of any other form.
     */
    const sequence = (dash: number, head: Head): unknown[] | undefined => {
      const items: unknown[] = [];
      let h = head;
      for (;;) {
        const item = block(h.column, h);
        if (item === undefined) return undefined;
        items.push(item);
        const next = after;
        if (next === undefined) return items;
        if (next.dash === -1) {
          // A key left of the dashes ends it (at their column: a sequence at its key's column ends).
          return next.column <= dash ? items : undefined;
        }
        if (next.dash < dash) return items;
        if (next.dash > dash) return undefined;
        h = next;
      }
    };

    for (;;) {
      if (text.startsWith('---\n', p)) {
        p += 4;
        line++;
        continue;
      }
      const first = this.firstHead;
      const head = first !== undefined && text.startsWith(first.text, p) ? first : headAt(undefined);
      if (head === undefined || head.column !== 0 || head.dash !== -1) break;
      this.firstHead = head;
      const start = p;
      const startLine = line;
      const value = block(0, head);
      if (value === undefined || value.kind === 'List') {
        p = start;
        line = startLine;
        break;
      }
      resources.push({ resource: value as unknown as Resource, origin: { source, file, line: startLine } });
    }
    this.lineStart = p;
    this.line = line;
  }

  /** Moves past blank and comment lines to the next line that matters, and says what it is. */
  peek(): void {
    const text = this.text;
    for (;;) {
      const start = this.lineStart;
      if (start >= text.length) {
        this.kind = Line.End;
        return;
      }
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      this.lineEnd = end;
      let i = start;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i < end && text.charCodeAt(i) !== HASH) {
        if (i === start) {
          const c = text.charCodeAt(start);
          if (c === DASH && text.startsWith('---', start)) {
            if (end - start !== 3) throw declined; // '--- value', '----', '---#'
            this.kind = Line.DocumentStart;
            return;
          }
          if (c === 0x2e /* . */ && text.startsWith('...', start)) throw declined;
          if (c === 0x25 /* % */) throw declined;
        }
        this.kind = Line.Content;
        this.indent = i - start;
        return;
      }
      this.lineStart = end + 1;
      this.line++;
    }
  }

  /**
   * The first '#' at or after a position, for the end of a plain scalar: one search per '#' in the
   * text rather than a look at every character of every value (most files have few comments).
   */
  private readonly hashes: ForwardSearch;
  /** The first '\\' at or after a position, for a double-quoted scalar, found as '#' is. */
  private readonly backslashes: ForwardSearch;

  nextLine(): void {
    this.lineStart = this.lineEnd + 1;
    this.line++;
  }

  /** Whether the current content line is a sequence item at its indentation ('- …' or a lone '-'). */
  private atItem(): boolean {
    const at = this.lineStart + this.indent;
    if (this.text.charCodeAt(at) !== DASH) return false;
    const next = at + 1;
    return next === this.lineEnd || this.text.charCodeAt(next) === SPACE;
  }

  /** A block mapping whose keys sit at `column`; its first key starts at `at` on the current line. */
  mapping(column: number, at: number): Record<string, unknown> {
    const text = this.text;
    const map: Record<string, unknown> = {};
    for (;;) {
      // The key: a letter or '_', then letters, digits, '_', '.', '/', '-'; then ':' and a space or the line's end.
      const first = text.charCodeAt(at);
      if (keyStart[first] !== 1) throw declined;
      let i = text.indexOf(':', at + 1);
      if (i === -1 || i >= this.lineEnd) throw declined;
      const key = this.keyAt(at, i);
      if (Object.hasOwn(map, key)) throw declined;
      i++;
      if (i < this.lineEnd && text.charCodeAt(i) !== SPACE) throw declined;
      while (i < this.lineEnd && text.charCodeAt(i) === SPACE) i++;
      if (i === this.lineEnd || text.charCodeAt(i) === HASH) {
        this.nextLine();
        map[key] = this.nested(column, true);
      } else {
        map[key] = this.scalar(i);
        this.nextLine();
        this.peek();
      }
      // The next key, at this mapping's column; a line indented more is a continuation or an error.
      if (this.kind !== Line.Content || this.indent < column) return map;
      if (this.indent > column || this.atItem()) throw declined;
      at = this.lineStart + column;
    }
  }

  /**
   * The value on the lines after 'key:' or a lone '-' at `column`: a mapping or sequence
   * indented more, a sequence at the same column after a key (`compact`), or else null.
   */
  private nested(column: number, compact: boolean): unknown {
    this.peek();
    if (this.kind !== Line.Content) return null;
    if (this.indent > column) {
      const value = this.atItem()
        ? this.sequence(this.indent)
        : this.mapping(this.indent, this.lineStart + this.indent);
      if (this.kind === Line.Content && this.indent > column) throw declined;
      return value;
    }
    if (compact && this.indent === column && this.atItem()) return this.sequence(column);
    return null;
  }

  /** A block sequence whose dashes sit at `column`; the current line is its first item. */
  private sequence(column: number): unknown[] {
    const text = this.text;
    const items: unknown[] = [];
    for (;;) {
      let i = this.lineStart + column + 1;
      while (i < this.lineEnd && text.charCodeAt(i) === SPACE) i++;
      if (i === this.lineEnd || text.charCodeAt(i) === HASH) {
        this.nextLine();
        items.push(this.nested(column, false));
      } else if (
        text.charCodeAt(i) === DASH &&
        (i + 1 === this.lineEnd || text.charCodeAt(i + 1) === SPACE)
      ) {
        throw declined; // '- - x'
      } else if (startsKey(text, i, this.lineEnd)) {
        items.push(this.mapping(i - this.lineStart, i));
      } else {
        items.push(this.scalar(i));
        this.nextLine();
        this.peek();
      }
      if (this.kind !== Line.Content || this.indent < column) return items;
      if (this.indent > column || !this.atItem()) {
        // A key at the sequence's column ends a compact sequence: the mapping above reads it.
        if (this.indent === column) return items;
        throw declined;
      }
    }
  }

  /** A scalar from `at` to the end of the current line (or a comment after it). */
  private scalar(at: number): unknown {
    const text = this.text;
    const end = this.lineEnd;
    const first = text.charCodeAt(at);
    if (first === DQUOTE) {
      // Most double-quoted scalars have no escape: the text up to the next '"' on the line.
      const close = text.indexOf('"', at + 1);
      if (close !== -1 && close < end && this.backslashes.from(at + 1) > close)
        return this.afterQuoted({ value: this.cut(at + 1, close), end: close + 1 });
      return this.afterQuoted(doubleQuoted(text, at + 1, end));
    }
    if (first === SQUOTE) return this.afterQuoted(singleQuoted(text, at + 1, end));
    if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
      const close = first === 0x7b ? 0x7d : 0x5d;
      if (text.charCodeAt(at + 1) !== close) throw declined; // flow collections other than {} and []
      this.afterQuoted({ value: undefined, end: at + 2 });
      return first === 0x7b ? {} : [];
    }
    // Indicators that cannot start a plain scalar or change its meaning ('?', ':' and '- ' are left to the others).
    if (plainStartIndicator[first] === 1) throw declined;
    if (first === 0x3f /* ? */ || first === COLON) throw declined;
    if (first === DASH && (at + 1 === end || text.charCodeAt(at + 1) === SPACE)) throw declined;
    // A plain scalar ends at ' #' (a comment) or the line's end, spaces after it trimmed.
    let stop = end;
    if (this.hashes.from(at + 1) < end) {
      for (let i = at + 1; i < end; i++) {
        if (text.charCodeAt(i) === HASH && text.charCodeAt(i - 1) === SPACE) {
          stop = i;
          break;
        }
      }
    }
    while (stop > at && text.charCodeAt(stop - 1) === SPACE) stop--;
    const data = this.cut(at, stop);
    // ': ' or a final ':' would make it a key: a nested mapping, an error in YAML.
    if (data.charCodeAt(data.length - 1) === COLON || data.includes(': ')) throw declined;
    return mayResolve[data.charCodeAt(0)] === 1 ? plainScalarValue(data) : data;
  }

  /** After a quoted scalar (or `{}`/`[]`): only spaces, then the line's end or a comment after a space. */
  private afterQuoted(quoted: { value: unknown; end: number }): unknown {
    const text = this.text;
    let i = quoted.end;
    while (i < this.lineEnd && text.charCodeAt(i) === SPACE) i++;
    if (i < this.lineEnd && !(text.charCodeAt(i) === HASH && i > quoted.end)) throw declined;
    return quoted.value;
  }
}

/** A line's beginning as documentsTheShortWay saw it before: `column` spaces, a key, and ': ' or ':\n'. */
class Head {
  /** The Head of the line that followed this one last time, and a different one before that. */
  next: Head | undefined = undefined;
  alt: Head | undefined = undefined;
  /** The last plain value read after this Head (`key: value`): its text and what it means. */
  last: string | undefined = undefined;
  lastValue: unknown = undefined;
  /** The length of `text`: where the value starts. */
  readonly width: number;

  constructor(
    readonly text: string,
    readonly key: string,
    readonly column: number,
    /** ':\n': the value is on the lines after. */
    readonly nested: boolean,
    /** A sequence item's first line ('- key: '): the dash's column; else -1. */
    readonly dash: number,
  ) {
    this.width = text.length;
  }
}

/**
 * The text's UTF-16 code units as bytes, at the same offsets, for tests of ASCII characters: the
 * bytes themselves when the text is ASCII, else each code unit above 0x7f as 0x80 (which no
 * character table marks and no test compares with).
 */
export function codesOf(text: string, ascii: Buffer | undefined): Uint8Array {
  return ascii ?? Buffer.from(text.replace(/[\u0080-\uffff]/g, '\x80'), 'latin1');
}

/** Where V8 starts making a substring a slice of its string instead of a copy (SlicedString::kMinLength). */
const ownStringFrom = 13;

/** `bytes.toString('latin1', from, to)` without its argument checks (Node's Buffer method under it, where there is one). */
const latin1Slice: (bytes: Buffer, from: number, to: number) => string =
  typeof (Buffer.prototype as { latin1Slice?: unknown }).latin1Slice === 'function'
    ? (bytes, from, to) =>
        (bytes as Buffer & { latin1Slice(from: number, to: number): string }).latin1Slice(from, to)
    : (bytes, from, to) => bytes.toString('latin1', from, to);

/**
 * The first place of one character at or after a position, for a reader that only moves forward:
 * the text is searched again only past the place found last, or before where that search began.
 */
class ForwardSearch {
  /** Where the last search started, and what it found (the text's length if nothing). */
  private searchedFrom = 0;
  private next = -1;

  constructor(
    private readonly text: string,
    private readonly char: string,
  ) {}

  from(from: number): number {
    if (from < this.searchedFrom || from > this.next) {
      const found = this.text.indexOf(this.char, from);
      this.searchedFrom = from;
      this.next = found === -1 ? this.text.length : found;
    }
    return this.next;
  }
}

/**
 * Characters by code (1: yes) for what the reader asks of almost every character it reads: a
 * table lookup instead of a call and a chain of comparisons, which is what the reader costs
 * while V8 still runs it unoptimized (the first part of a large file).
 */
const table = (yes: (c: number) => boolean): Uint8Array => {
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x80; c++) if (yes(c)) t[c] = 1;
  return t;
};

/** A key's first character: a letter or '_'. */
const keyStart = table((c) => isLetter(c) || c === 0x5f);

/** A key's other characters: letters, digits, '_', '.', '/', '-'. */
const keyChar = table(
  (c) => isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2f || c === DASH,
);

/**
 * A plain scalar's first character that the short way takes: letters, digits, '_', '/', '.', '~',
 * '+' (none of YAML's indicators, and not '-', which may start an item).
 */
const plainFast = table(
  (c) => isLetter(c) || (c >= 0x30 && c <= 0x39) || '_/.~+'.includes(String.fromCharCode(c)),
);

/** YAML's indicators that never start a plain scalar: , [ ] { } # & * ! | > ' " % @ ` */
const plainStartIndicator = table((c) => ',[]{}#&*!|>\'"%@`'.includes(String.fromCharCode(c)));

/**
 * What a plain scalar the core schema may read as other than a string starts with: ~ and n/N
 * (null), t/T/f/F (booleans), a digit, a sign or a dot (numbers, .inf, .nan). Any other is the
 * string itself, without trying the schema's patterns.
 */
const mayResolve = table((c) => '0123456789+-.~nNtTfF'.includes(String.fromCharCode(c)));

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** Whether a key ('name:' then a space or the line's end) starts at `at`. */
function startsKey(text: string, at: number, end: number): boolean {
  const first = text.charCodeAt(at);
  if (keyStart[first] !== 1) return false;
  let i = at + 1;
  while (i < end && keyChar[text.charCodeAt(i)] === 1) i++;
  return text.charCodeAt(i) === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE);
}

/** A double-quoted scalar on one line, from after its opening quote; JSON's escapes only. */
function doubleQuoted(text: string, from: number, end: number): { value: string; end: number } {
  let value = '';
  let run = from;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DQUOTE) return { value: value + text.slice(run, i), end: i + 1 };
    if (c !== 0x5c /* \ */) continue;
    value += text.slice(run, i);
    const e = text[i + 1];
    const simple = jsonEscape(e);
    if (simple !== undefined) {
      value += simple;
      i++;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      const code = Number.parseInt(text.slice(i + 2, i + 6), 16);
      if (code >= 0xd800 && code <= 0xdfff) throw declined; // surrogates: left to the exact parser
      value += String.fromCharCode(code);
      i += 5;
    } else throw declined;
    run = i + 1;
  }
  throw declined; // no closing quote on this line
}

/** What JSON's one-character escapes (other than \\u) stand for; undefined for any other character. */
function jsonEscape(e: string | undefined): string | undefined {
  switch (e) {
    case '"':
    case '\\':
    case '/':
      return e;
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    default:
      return undefined;
  }
}

/** A single-quoted scalar on one line, from after its opening quote ('' is a quote). */
function singleQuoted(text: string, from: number, end: number): { value: string; end: number } {
  let value = '';
  let run = from;
  for (let i = from; i < end; i++) {
    if (text.charCodeAt(i) !== SQUOTE) continue;
    if (text.charCodeAt(i + 1) === SQUOTE) {
      value += text.slice(run, i + 1);
      i++;
      run = i + 1;
      continue;
    }
    return { value: value + text.slice(run, i), end: i + 1 };
  }
  throw declined; // no closing quote on this line
}
