import type { CliIO } from '../io.js';

// PLACEHOLDER for the `explain` subcommand: the helper who builds
// packages/explain replaces this file's body (and, if needed, its entry in
// the command table in cli.ts). Until then it prints 'not yet available' and
// exits 2.
export const explainUsage = `usage: attache explain -f PATH… 'METHOD URL' [-H 'name: value']…

Shows which route a request takes, and why.`;

export async function explainCommand(_argv: string[], io: CliIO): Promise<number> {
  io.stderr('attache explain: not yet available\n');
  return 2;
}
