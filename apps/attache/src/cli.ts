import { PluginLoadError } from '@attache/core';
import { ConfigError } from '@attache/runtime';
import { compileCommand, compileUsage } from './commands/compile.js';
import { explainCommand, explainUsage } from './commands/explain.js';
import { serveCommand, serveUsage } from './commands/serve.js';
import { validateCommand, validateUsage } from './commands/validate.js';
import { type CliIO, processIO, UsageError } from './io.js';

interface Command {
  summary: string;
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** The command table. The command line is a stable interface (see DESIGN.md): add, never rename. */
const commands: Record<string, Command> = {
  compile: { summary: 'resources → Envoy config on stdout', usage: compileUsage, run: compileCommand },
  validate: {
    summary: 'diagnostics like a compiler; exit 1 on errors',
    usage: validateUsage,
    run: validateCommand,
  },
  // explain: owned by packages/explain's author, who wires it in commands/explain.ts.
  explain: { summary: 'which route a request takes, and why', usage: explainUsage, run: explainCommand },
  serve: {
    summary: 'run the control plane (sources → compile → ADS/file sinks)',
    usage: serveUsage,
    run: serveCommand,
  },
};

function mainUsage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: attache <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'attache <command> --help' for a command's options.\n`;
}

/**
 * Runs one command line and resolves with the exit code; never calls
 * process.exit, so tests run it in-process. User errors (bad flags, an
 * invalid config) print one clear message; anything else is a bug and keeps
 * its stack.
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainUsage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`attache: unknown command '${name}'\n\n${mainUsage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || isParseArgsError(e)) {
      io.stderr(`attache ${name}: ${(e as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    if (e instanceof ConfigError || e instanceof PluginLoadError) {
      io.stderr(`attache ${name}: ${(e as Error).message}\n`);
      return 2;
    }
    io.stderr(`attache ${name}: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
