import type { DiagnosticInput } from './diagnostics.js';

interface MemoEntry {
  salt: string;
  value: unknown;
  reports: DiagnosticInput[];
  /** The compile that last used the entry: entries not used by the latest compile are dropped. */
  generation: number;
}

/**
 * What a pass may keep from one compile to the next under an incremental
 * compiler (`createIncrementalCompiler`): results of per-resource work, keyed
 * by the input object they were computed from. An unchanged resource keeps
 * its object between compiles (stores replace only what changed), so a hit
 * means "this exact input, seen before".
 *
 * The contract, which the differential test checks for the passes that use it:
 * `compute` reads only `key` and what `salt` names (encode every other input
 * in the salt: options, Module settings, registered fields), and nobody
 * mutates the value it returns afterwards (it is handed out again next
 * compile). Diagnostics `compute` reports are recorded and reported again
 * on every hit, so a reuse is indistinguishable from a recomputation.
 *
 * A pass that never calls it simply recomputes everything, every compile.
 */
export interface PassMemo {
  reuse<T>(key: object, salt: string, compute: () => T): T;
}

/** The store behind a pass's PassMemo, living as long as its incremental compiler. */
export class PassMemoStore implements PassMemo {
  private entries = new WeakMap<object, MemoEntry[]>();
  private generation = 0;
  private recording: DiagnosticInput[][] = [];
  hits = 0;
  misses = 0;

  /** `report` is the pass's report function of the current compile. */
  constructor(private report: (d: DiagnosticInput) => void) {}

  private lastSalt = '';
  private lastInterned = '';
  /** Salts used by this compile and the one before, by content. */
  private salts = new Map<string, string>();
  private previousSalts = new Map<string, string>();

  private intern(salt: string): string {
    let interned = this.salts.get(salt);
    if (interned === undefined) {
      interned = this.previousSalts.get(salt) ?? salt;
      this.salts.set(interned, interned);
    }
    return interned;
  }

  /** A new compile begins: reports go to this compile's `report`. */
  begin(report: (d: DiagnosticInput) => void): void {
    this.generation++;
    this.previousSalts = this.salts;
    this.salts = new Map();
    this.lastSalt = '';
    this.lastInterned = '';
    this.report = report;
    this.recording = [];
    this.hits = 0;
    this.misses = 0;
  }

  /** Called by the compiler for every report of the pass: recorded into the entries being computed. */
  observe(d: DiagnosticInput): void {
    for (const list of this.recording) list.push(d);
  }

  reuse<T>(key: object, salt: string, compute: () => T): T {
    // Callers pass one salt string for thousands of keys, made anew each compile: interned, the
    // entries' salts compare by identity instead of character by character.
    if (salt !== this.lastSalt) {
      this.lastSalt = salt;
      this.lastInterned = this.intern(salt);
    }
    salt = this.lastInterned;
    const list = this.entries.get(key);
    const entry = list?.find((e) => e.salt === salt);
    if (entry) {
      this.hits++;
      entry.generation = this.generation;
      for (const d of entry.reports) this.report(d);
      return entry.value as T;
    }
    this.misses++;
    const reports: DiagnosticInput[] = [];
    this.recording.push(reports);
    let value: T;
    try {
      value = compute();
    } finally {
      this.recording.pop();
    }
    const fresh: MemoEntry = { salt, value, reports, generation: this.generation };
    // One entry per salt, and only the latest generations: a key's entries do not pile up.
    const kept = (list ?? []).filter((e) => e.generation === this.generation);
    kept.push(fresh);
    this.entries.set(key, kept);
    return value;
  }
}
