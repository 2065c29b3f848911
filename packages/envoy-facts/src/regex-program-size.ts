import { Buffer } from 'node:buffer';
import { RE2JS } from 're2js';
import { isAscii, re2CompileError, takeAsciiCompile } from './re2-compile.js';
import { literalShape } from './re2-shape.js';

/**
 * The size Envoy's RE2 gives a regex's program (`RE2::ProgramSize()`), which
 * Envoy compares with `google_re2.max_program_size` (or its runtime default,
 * 100) and refuses the whole update above it: "regex '/[a-z]{500}' RE2
 * program size of 505 > max program size of 200".
 *
 * How it is measured, found by asking Envoy 1.39.3 itself (a regex matcher
 * with `max_program_size: 1` reports the size; see the Envoy-backed test):
 *
 * - Envoy's RE2 reads the pattern as Latin-1: each UTF-8 byte of a non-ASCII
 *   character is one character (`é` is two instructions), a class is clipped
 *   to U+0000–U+00FF (`\p{Greek}` matches nothing), and a literal escape above
 *   U+00FF (`\x{100}`) makes no program at all, which Envoy refuses whatever
 *   the limit.
 * - The size is that of RE2's *flattened* program: one instruction per byte
 *   range of a class (`[a-zA-Z]` is one range with ASCII case folding,
 *   `[0-9a-f]` two), per literal byte, capture bracket, non-anchor assertion
 *   and match, plus one for the fail instruction and a Nop wherever a list
 *   jumps into another (loops); alternations cost nothing themselves.
 * - A leading `^` and a trailing `$` are not instructions (they set anchor
 *   flags); without a leading `^` RE2 adds a two-instruction `.*?` loop. A
 *   `^` followed by literal text is matched by a prefix comparison, so that
 *   text costs nothing but the rest is compiled unanchored.
 *
 * The graph comes from re2js (a port of RE2's Go sibling) compiling the
 * Latin-1 reading of the pattern; this module re-shapes it the way RE2's C++
 * compiler lays instructions out and runs RE2's Flatten() count over it.
 * That is exact on every pattern of the test corpus (real routes, repeats,
 * classes, captures, anchors, case folding); where re2js's parser differs from
 * RE2's (e.g. its factoring of unusual alternations) the figure can be off by
 * a few instructions, which only matters for a regex within a few
 * instructions of the limit.
 *
 * Returns Infinity for a pattern Envoy's RE2 cannot compile to a program, and
 * undefined when re2js does not accept the pattern (re2Error reports that).
 *
 * One measure for both users: the http plugin (the check on the user's field)
 * and the validator in @attache/envoy.
 */
export function re2ProgramSize(pattern: string): number | undefined {
  const cached = sizes.get(pattern);
  if (cached !== undefined || sizes.has(pattern)) return cached;
  // Regexes that differ only in their leading literal text share one measure (re2-shape.ts).
  const shape = literalShape(pattern);
  let size: number | undefined;
  if (shape !== undefined && re2CompileError(shape.shape) === undefined) {
    const shapeSize = re2ProgramSize(shape.shape);
    size = shapeSize === undefined ? undefined : shapeSize + shape.extraSize;
  } else size = programSize(pattern);
  if (sizes.size > 10_000) sizes.clear();
  sizes.set(pattern, size);
  return size;
}

/** re2ProgramSize without its caches and shapes: a measure of the pattern's own compile. */
export function programSize(pattern: string): number | undefined {
  try {
    return flattenedSize(latin1Program(pattern));
  } catch {
    return undefined;
  }
}

const sizes = new Map<string, number | undefined>();

// re2js's instruction opcodes and empty-width flags (its Inst and Utils classes, not exported).
const Op = {
  alt: 1,
  altMatch: 2,
  capture: 3,
  emptyWidth: 4,
  fail: 5,
  match: 6,
  nop: 7,
  rune: 8,
  rune1: 9,
  runeAny: 10,
  runeAnyNotNl: 11,
} as const;
const emptyBeginText = 4;
const emptyEndText = 8;

interface ReInst {
  op: number;
  out: number;
  arg: number;
  runes: Int32Array;
}
interface ReProg {
  inst: ReInst[];
  start: number;
}

function latin1Program(pattern: string): ReProg {
  // Each UTF-8 byte becomes one character, as Envoy's RE2 reads the pattern (an ASCII pattern
  // reads the same, so re2CompileError's compile of it just before serves, when there is one).
  const latin1 = isAscii(pattern) ? pattern : Buffer.from(pattern, 'utf8').toString('latin1');
  const compiled = takeAsciiCompile(pattern) ?? RE2JS.compile(latin1);
  return (compiled as unknown as { re2(): { prog: ReProg } }).re2().prog;
}

/** A node of the program as RE2's C++ compiler shapes it. */
type Node =
  | { kind: 'alt'; outs: number[]; altMatch: boolean }
  /** `width` byte-range (or capture/assertion) instructions, all continuing at `out`. */
  | { kind: 'leaf'; width: number; out: number }
  | { kind: 'end' };

const unrepresentable = Symbol('unrepresentable');

/** Number of byte ranges RE2 emits for a class of code-point ranges (Latin-1, ASCII case-fold trick). */
function classWidth(runes: Int32Array): number {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i + 1 < runes.length; i += 2) {
    const lo = runes[i]!;
    const hi = Math.min(runes[i + 1]!, 0xff);
    if (lo <= hi) ranges.push([lo, hi]);
  }
  // RE2's CharClass::FoldsASCII: every ASCII letter is in the class in both cases or in neither.
  const has = (c: number) => ranges.some(([lo, hi]) => lo <= c && c <= hi);
  let folds = true;
  for (let c = 0x41; c <= 0x5a && folds; c++) folds = has(c) === has(c + 0x20);
  // With folding, ranges wholly inside A-Z are left out (their lower case carries a fold flag).
  return ranges.filter(([lo, hi]) => !(folds && 0x41 <= lo && hi <= 0x5a)).length;
}

function leafWidth(inst: ReInst): number | typeof unrepresentable {
  switch (inst.op) {
    case Op.rune1:
      // A literal RE2 cannot write as a Latin-1 byte: no program is made.
      return inst.runes[0]! > 0xff ? unrepresentable : 1;
    case Op.rune:
      if (inst.runes.length === 1) return inst.runes[0]! > 0xff ? unrepresentable : 1; // a case-folded literal
      return classWidth(inst.runes);
    case Op.runeAny:
      return 1; // 00-FF
    case Op.runeAnyNotNl:
      return 2; // 00-09, 0B-FF
    default:
      return 1; // a capture bracket or an assertion
  }
}

/** Re-shapes re2js's program the way RE2's C++ compiler and Optimize() lay it out. */
function cppShape(prog: ReProg): { nodes: Map<number, Node>; start: number; anchored: boolean } {
  const insts = prog.inst;
  const epsilon = new Set<number>();
  for (const [pc, inst] of insts.entries()) if (inst.op === Op.nop) epsilon.add(pc);
  const skip = (pc: number): number => {
    let at = pc;
    for (let guard = 0; epsilon.has(at) && guard < insts.length; guard++) at = insts[at]!.out;
    return at;
  };
  const successors = (inst: ReInst): number[] =>
    inst.op === Op.alt || inst.op === Op.altMatch
      ? [inst.out, inst.arg]
      : inst.op === Op.match || inst.op === Op.fail
        ? []
        : [inst.out];

  // A leading ^ (also inside captures) and a trailing $ only set anchor flags (RE2's IsAnchorStart/End).
  let anchored = false;
  let topLevel = true;
  let at = skip(prog.start);
  for (;;) {
    const inst = insts[at]!;
    if (inst.op === Op.capture) {
      topLevel = false;
      at = skip(inst.out);
    } else if (inst.op === Op.emptyWidth && inst.arg === emptyBeginText) {
      anchored = true;
      epsilon.add(at);
      at = skip(inst.out);
    } else break;
  }
  const predecessors = new Map<number, number>();
  for (const [pc, inst] of insts.entries()) {
    if (epsilon.has(pc)) continue;
    for (const next of successors(inst)) {
      const target = skip(next);
      predecessors.set(target, (predecessors.get(target) ?? 0) + 1);
    }
  }
  let start = prog.start;
  // ^ then literal text: RE2 compares the text as a prefix and compiles the rest unanchored.
  if (anchored && topLevel) {
    let literal = at;
    let stripped = 0;
    const folded = (inst: ReInst) => inst.op === Op.rune && inst.runes.length === 1;
    const firstFold = folded(insts[literal]!);
    while (
      (insts[literal]!.op === Op.rune1 || folded(insts[literal]!)) &&
      folded(insts[literal]!) === firstFold &&
      insts[literal]!.runes[0]! <= 0xff &&
      (predecessors.get(literal) ?? 0) === (stripped === 0 ? 0 : 1)
    ) {
      stripped++;
      literal = skip(insts[literal]!.out);
    }
    if (stripped > 0) {
      start = literal;
      anchored = false;
    }
  }
  // A $ that every path to the match passes last (through capture brackets only) is an anchor flag.
  const onlyPredecessor = (target: number): number => {
    let only = -1;
    for (const [pc, inst] of insts.entries()) {
      if (epsilon.has(pc) || !successors(inst).some((next) => skip(next) === target)) continue;
      if (only !== -1 || inst.op === Op.alt || inst.op === Op.altMatch) return -1;
      only = pc;
    }
    return only;
  };
  let before = onlyPredecessor(insts.findIndex((inst) => inst.op === Op.match));
  while (before >= 0 && insts[before]!.op === Op.capture) before = onlyPredecessor(before);
  if (before >= 0 && insts[before]!.op === Op.emptyWidth && insts[before]!.arg === emptyEndText) {
    epsilon.add(before);
  }

  start = skip(start);
  const nodes = new Map<number, Node>();
  for (const [pc, inst] of insts.entries()) {
    if (epsilon.has(pc)) continue;
    if (inst.op === Op.alt || inst.op === Op.altMatch) {
      const outs = [skip(inst.out), skip(inst.arg)];
      // Optimize() turns `Alt -> (00-FF -> Alt) | Match` into AltMatch, which Flatten() keeps as an instruction.
      const anyLoop = (pcAny: number) => insts[pcAny]?.op === Op.runeAny && skip(insts[pcAny]!.out) === pc;
      const isMatch = (pcMatch: number) => insts[pcMatch]?.op === Op.match;
      const altMatch = (anyLoop(outs[0]!) && isMatch(outs[1]!)) || (anyLoop(outs[1]!) && isMatch(outs[0]!));
      nodes.set(pc, { kind: 'alt', outs, altMatch });
    } else if (inst.op === Op.match || inst.op === Op.fail) {
      nodes.set(pc, { kind: 'end' });
    } else {
      const width = leafWidth(inst);
      if (width === unrepresentable) throw unrepresentable;
      nodes.set(pc, { kind: 'leaf', width, out: skip(inst.out) });
    }
  }
  pruneDead(nodes);
  return { nodes, start, anchored };
}

/** Removes what can never match (a class with nothing in Latin-1, and all that only leads there). */
function pruneDead(nodes: Map<number, Node>): void {
  const dead = (pc: number) => pc === 0 || !nodes.has(pc);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [pc, node] of nodes) {
      if (pc === 0) continue;
      const gone =
        (node.kind === 'leaf' && (node.width === 0 || dead(node.out))) ||
        (node.kind === 'alt' && node.outs.every(dead));
      if (gone) {
        nodes.delete(pc);
        changed = true;
      } else if (node.kind === 'alt' && node.outs.some(dead)) {
        node.outs = node.outs.filter((o) => !dead(o));
        changed = true;
      }
    }
  }
}

/** RE2's Prog::Flatten() size: the lists it emits, one per root, plus the fail instruction. */
function flattenedSize(prog: ReProg): number {
  let shaped: ReturnType<typeof cppShape>;
  try {
    shaped = cppShape(prog);
  } catch (error) {
    if (error === unrepresentable) return Number.POSITIVE_INFINITY;
    throw error;
  }
  const { nodes, anchored } = shaped;
  const start = shaped.start;
  if (start === 0 || !nodes.has(start)) return 1; // nothing can match: RE2 keeps only the fail instruction
  let startUnanchored = start;
  if (!anchored) {
    // The unanchored entry `.*?`: an Alt to the start and a 00-FF byte looping back.
    const ids = [...nodes.keys()];
    const loop = Math.max(...ids) + 1;
    nodes.set(loop, { kind: 'alt', outs: [start, loop + 1], altMatch: false });
    nodes.set(loop + 1, { kind: 'leaf', width: 1, out: loop });
    startUnanchored = loop;
  }
  const roots = new Set<number>([0, startUnanchored, start]);
  const preds = new Map<number, number[]>();
  // MarkSuccessors: what follows a consuming instruction starts a list; Alt edges are recorded.
  const seen = new Set<number>();
  const stack = [startUnanchored];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = nodes.get(id)!;
    if (node.kind === 'alt') {
      for (const out of node.outs) {
        preds.set(out, [...(preds.get(out) ?? []), id]);
        stack.push(out);
      }
    } else if (node.kind === 'leaf') {
      roots.add(node.out);
      stack.push(node.out);
    }
  }
  const epsilonReach = (root: number): Set<number> => {
    const reach = new Set<number>();
    const todo = [root];
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (reach.has(id)) continue;
      reach.add(id);
      if (id !== root && roots.has(id)) continue;
      const node = nodes.get(id);
      if (node?.kind === 'alt') todo.push(...node.outs);
    }
    return reach;
  };
  // MarkDominator: a node also reached from outside a root's tree starts a list of its own.
  const sorted = [...roots].sort((a, b) => b - a).filter((id) => id !== 0);
  for (const root of sorted) {
    if (root === start || root === startUnanchored) continue;
    const reach = epsilonReach(root);
    for (const id of reach) {
      if ((preds.get(id) ?? []).some((pred) => !reach.has(pred))) roots.add(id);
    }
  }
  // EmitList: each root's list holds the instructions its epsilon tree reaches, a Nop per other root.
  let size = 0;
  for (const root of roots) {
    if (root === 0) {
      size += 1;
      continue;
    }
    const reach = new Set<number>();
    const todo = [root];
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (reach.has(id)) continue;
      reach.add(id);
      if (id !== root && roots.has(id)) {
        size += 1;
        continue;
      }
      const node = nodes.get(id)!;
      if (node.kind === 'alt') {
        if (node.altMatch) size += 1;
        todo.push(...[...node.outs].reverse());
      } else if (node.kind === 'leaf') size += node.width;
      else size += 1;
    }
  }
  return size;
}
