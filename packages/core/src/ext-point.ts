import type { IR } from './ir.js';

/**
 * A typed key into `ir.ext`: the contract between the plugin that produces a
 * fact and the plugins that read it, without either importing the other.
 * The key doubles as the scheduler facet, so a reader names it in `reads` and
 * runs after every writer.
 */
export interface ExtPoint<T> {
  /** '<producing-plugin>.<name>', e.g. 'http.model'; also the facet passes read and write. */
  readonly key: string;
  /** What the value is and who writes it, for `attache compile --schedule` and docs. */
  readonly description: string;
  /** Type carrier only; never set. */
  readonly _type?: T;
}

export function defineExtPoint<T>(key: string, description: string): ExtPoint<T> {
  if (!/^[a-z][a-z0-9-]*\.[A-Za-z][A-Za-z0-9]*$/.test(key)) {
    throw new Error(`extension point key '${key}' must be '<plugin-id>.<name>' (e.g. 'http.model')`);
  }
  return Object.freeze({ key, description });
}

/** The value a producer published, or undefined when no producer ran (its plugin is absent). */
export function readExt<T>(ir: IR, point: ExtPoint<T>): T | undefined {
  return ir.ext[point.key] as T | undefined;
}

/**
 * Publishes a value. Values are shared with every reader: publish a new
 * object rather than editing one another pass may hold.
 */
export function writeExt<T>(ir: IR, point: ExtPoint<T>, value: T): void {
  ir.ext[point.key] = value;
}
