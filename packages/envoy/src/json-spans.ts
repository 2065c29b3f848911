/**
 * Where the members of a JSON object and the elements of a JSON array lie in
 * its text, found without parsing the values: a route table's text can then
 * be cut into the texts of its virtual hosts and routes, and only the parts
 * not seen before parsed. A substring of `JSON.stringify`'s output is exactly
 * `JSON.stringify` of the value it holds.
 *
 * These functions assume well-formed JSON and throw `MalformedJson` when they
 * meet something else; a caller then parses the whole text, which reports the
 * error properly.
 */

export class MalformedJson extends Error {}

/** A member of an object: its key, and where it starts (the key's quote) and its value starts and ends. */
export interface MemberSpan {
  key: string;
  start: number;
  valueStart: number;
  valueEnd: number;
}

/** An element of an array: where it starts and ends. */
export interface ElementSpan {
  start: number;
  end: number;
}

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** The end (one past the closing quote) of the string starting at `at`. */
function stringEnd(text: string, at: number): number {
  let from = at + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close < 0) throw new MalformedJson('unterminated string');
    let backslashes = 0;
    for (let i = close - 1; text.charCodeAt(i) === backslash; i--) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    from = close + 1;
  }
}

/** The end of the value starting at `at` (no leading space). */
export function valueEnd(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === quote) return stringEnd(text, at);
  if (c === openBrace || c === openBracket) {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const d = text.charCodeAt(i);
      if (d === quote) i = stringEnd(text, i) - 1;
      else if (d === openBrace || d === openBracket) depth++;
      else if (d === closeBrace || d === closeBracket) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw new MalformedJson('unterminated object or array');
  }
  let i = at;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === comma || d === closeBrace || d === closeBracket || isSpace(d)) break;
    i++;
  }
  if (i === at) throw new MalformedJson(`no value at ${at}`);
  return i;
}

/**
 * The members of the object starting at `at` (its '{'), and where it ends. `inner(key, at)` may
 * read a member's value itself (returning where it ends, so the text is scanned once), or
 * return undefined to have it skipped.
 */
export function objectMembers(
  text: string,
  at: number,
  inner?: (key: string, valueStart: number) => number | undefined,
): { members: MemberSpan[]; end: number } {
  if (text.charCodeAt(at) !== openBrace) throw new MalformedJson(`no object at ${at}`);
  const members: MemberSpan[] = [];
  let i = skipSpace(text, at + 1);
  if (text.charCodeAt(i) === closeBrace) return { members, end: i + 1 };
  for (;;) {
    if (text.charCodeAt(i) !== quote) throw new MalformedJson(`no key at ${i}`);
    const keyEnd = stringEnd(text, i);
    const raw = text.slice(i + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
    let j = skipSpace(text, keyEnd);
    if (text.charCodeAt(j) !== colon) throw new MalformedJson(`no ':' at ${j}`);
    j = skipSpace(text, j + 1);
    const end = inner?.(key, j) ?? valueEnd(text, j);
    members.push({ key, start: i, valueStart: j, valueEnd: end });
    i = skipSpace(text, end);
    const next = text.charCodeAt(i);
    if (next === closeBrace) return { members, end: i + 1 };
    if (next !== comma) throw new MalformedJson(`no ',' or '}' at ${i}`);
    i = skipSpace(text, i + 1);
  }
}

/**
 * The elements of the array starting at `at` (its '['), and where it ends. `element(at)` may
 * read an element itself (returning where it ends); by default it is skipped.
 */
export function arrayElements(
  text: string,
  at: number,
  element: (start: number) => number = (start) => valueEnd(text, start),
): { elements: ElementSpan[]; end: number } {
  if (text.charCodeAt(at) !== openBracket) throw new MalformedJson(`no array at ${at}`);
  const elements: ElementSpan[] = [];
  let i = skipSpace(text, at + 1);
  if (text.charCodeAt(i) === closeBracket) return { elements, end: i + 1 };
  for (;;) {
    const end = element(i);
    elements.push({ start: i, end });
    i = skipSpace(text, end);
    const next = text.charCodeAt(i);
    if (next === closeBracket) return { elements, end: i + 1 };
    if (next !== comma) throw new MalformedJson(`no ',' or ']' at ${i}`);
    i = skipSpace(text, i + 1);
  }
}

/**
 * The text of the object from `start` to `end` without its member `index`: for the output of
 * JSON.stringify, exactly JSON.stringify of the object without that key.
 */
export function withoutMember(
  text: string,
  start: number,
  end: number,
  members: readonly MemberSpan[],
  index: number,
): string {
  const member = members[index]!;
  if (members.length === 1) return '{}';
  if (index > 0) return text.slice(start, members[index - 1]!.valueEnd) + text.slice(member.valueEnd, end);
  return text.slice(start, member.start) + text.slice(members[1]!.start, end);
}
