import { jsonPointer } from '@attache/core';
import type { ValidationIssue } from './validation-issue.js';

/**
 * The cursor of a validation walk: the path is kept as a stack of segments
 * and only turned into a JSON pointer when an issue is reported, so a clean
 * resource costs no string building.
 */
export class Walker {
  readonly segments: Array<string | number> = [];
  readonly issues: ValidationIssue[] = [];

  report(message: string): void {
    this.issues.push({ path: jsonPointer(...this.segments), message });
  }

  /** Report at a child of the current path (e.g. a oneof's name). */
  reportAt(segment: string | number, message: string): void {
    this.segments.push(segment);
    this.report(message);
    this.segments.pop();
  }
}

/** Checks one decoded value at the walker's current path. */
export type ValueCheck = (value: unknown, walker: Walker) => void;
