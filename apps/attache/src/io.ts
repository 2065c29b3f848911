/** Where a command writes, and where relative paths start: the process, or a test. */
export interface CliIO {
  stdout(text: string): void;
  /**
   * Resolves once stdout has taken what it was given (or failed). Long outputs wait for it
   * between writes, so that a pipe read slower than it is written (64 KiB at a time) does not
   * make the process hold the whole output in memory.
   */
  stdoutDrain?(): Promise<void>;
  stderr(text: string): void;
  cwd: string;
  /** serve: resolves when the server should stop (default: SIGINT/SIGTERM). */
  stopSignal?: Promise<void>;
  /** serve: called once the runtime is running, with what tests need to look at. */
  onServing?(serving: import('./commands/serve.js').Serving): void;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stdoutDrain: () => drained(process.stdout),
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

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (!stream.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
