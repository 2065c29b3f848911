/**
 * A regex that starts with plain literal text (`/regex/svc-42/[0-9]+/.*`) compiles, and measures,
 * like the same regex with that text cut to one character (`a[0-9]+/.*`): the text is one literal
 * node at the top of the concatenation, each of its characters one instruction in a chain, and
 * nothing after it can reach back into it. So many regexes that differ only in their leading text
 * (a prefix per service) share one compile, the shape's, and their size is the shape's plus the
 * characters cut (none after a leading `^`: RE2 compares anchored literal text as a prefix).
 *
 * Only where that holds by construction (and the property test, re2-shape.test.ts, checks it on
 * thousands of random patterns against a compile of each):
 * - the text is ASCII letters, digits and `/_-:=@~,%` (literal wherever they stand), two or more;
 * - what follows does not start with a quantifier (it would bind to the text's last character);
 * - the pattern has no `|` (an alternation at the top would take the text as one branch, and
 *   re2js factors common prefixes of branches), no `{` (counted repeats multiply sizes, so the
 *   parser's size limit could depend on the text's length), nothing outside ASCII, and is short.
 * A shape that does not compile says nothing: the pattern is compiled itself (RE2's message
 * quotes the pattern).
 */
export interface LiteralShape {
  /** The pattern with its leading literal text cut to one character. */
  shape: string;
  /** Instructions the cut text adds to the shape's program size. */
  extraSize: number;
}

const maxLength = 2048;
const literal = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-:=@~,%')
  literal[c.charCodeAt(0)] = 1;

export function literalShape(pattern: string): LiteralShape | undefined {
  if (pattern.length > maxLength) return undefined;
  const begin = pattern.charCodeAt(0) === 0x5e /* ^ */ ? 1 : 0;
  let end = begin;
  while (end < pattern.length && literal[pattern.charCodeAt(end)] === 1) end++;
  const text = end - begin;
  if (text < 2) return undefined; // nothing to share, and a shape is never shaped again
  const next = pattern.charCodeAt(end);
  if (next === 0x2a /* * */ || next === 0x2b /* + */ || next === 0x3f /* ? */) return undefined;
  for (let i = end; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 0x7c /* | */ || c === 0x7b /* { */ || c > 0x7f) return undefined;
  }
  return {
    shape: `${pattern.slice(0, begin)}a${pattern.slice(end)}`,
    extraSize: begin === 1 ? 0 : text - 1,
  };
}
