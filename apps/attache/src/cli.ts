import { PluginLoadError } from '@attache/core';
import { ConfigError } from '@attache/runtime/offline';
import { type CliIO, processIO, UsageError } from './io.js';

interface Command {
  summary: string;
  /** Commands load on demand, so `attache compile` never pays for serve's gRPC and HTTP servers. */
  load(): Promise<{ usage: string; run(argv: string[], io: CliIO): Promise<number> }>;
}

/** The command table. The command line is a stable interface (see DESIGN.md): add, never rename. */
const commands: Record<string, Command> = {
  compile: {
    summary: 'resources → Envoy config on stdout',
    load: async () => {
      const m = await import('./commands/compile.js');
      return { usage: m.compileUsage, run: m.compileCommand };
    },
  },
  validate: {
    summary: 'diagnostics like a compiler; exit 1 on errors',
    load: async () => {
      const m = await import('./commands/validate.js');
      return { usage: m.validateUsage, run: m.validateCommand };
    },
  },
  // explain: owned by packages/explain's author, who wires it in commands/explain.ts.
  explain: {
    summary: 'which route a request takes, and why',
    load: async () => {
      const m = await import('./commands/explain.js');
      return { usage: m.explainUsage, run: m.explainCommand };
    },
  },
  dev: {
    summary: 'a working edge in one command: serve + a real Envoy (+ demo upstreams for the example)',
    load: async () => {
      const m = await import('./commands/dev.js');
      return { usage: m.devUsage, run: m.devCommand };
    },
  },
  serve: {
    summary: 'run the control plane (sources → compile → ADS/file sinks)',
    load: async () => {
      const m = await import('./commands/serve.js');
      return { usage: m.serveUsage, run: m.serveCommand };
    },
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
  const entry = commands[name];
  if (!entry) {
    io.stderr(`attache: unknown command '${name}'\n\n${mainUsage()}`);
    return 2;
  }
  const command = await entry.load();
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
