/** Where a command writes, and where relative paths start: the process, or a test. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  /** serve: resolves when the server should stop (default: SIGINT/SIGTERM). */
  stopSignal?: Promise<void>;
  /** serve: called once the runtime is running, with what tests need to look at. */
  onServing?(serving: import('./commands/serve.js').Serving): void;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
};

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
