import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';
import { writePiece } from './print-document.js';

/** Where a command writes, and where relative paths start: the process, or a test. */
export interface CliIO {
  stdout(text: string): void;
  /** Bytes for stdout (UTF-8 text); without it, they are given to stdout() as a string. */
  stdoutBytes?(bytes: Uint8Array): void;
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
  stdout: (text) => writeStdout(text),
  stdoutBytes: (bytes) => writeStdout(bytes),
  // stdout written with writeSync has taken everything already: process.stdout is not made for it
  // (node would make a SyncWriteStream, loading its module, which main.js would then wait on).
  stdoutDrain: () => (stdoutIsFile ? Promise.resolve() : drained(process.stdout)),
  // Nothing to write (no diagnostics) makes no stream.
  stderr: (text) => {
    if (text.length > 0) process.stderr.write(text);
  },
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

/** Whether stdout is written with writeSync(1, …) (undefined until the first write). */
let stdoutIsFile: boolean | undefined;

/**
 * process.stdout.write(text), or the same bytes given to writeSync when stdout is a file or a
 * character device other than a terminal (`> out.json`, `> /dev/null`). For those, node's stdout
 * is a SyncWriteStream, which writes each string with writeSync too, but first copies it into a
 * Buffer of its own (64 KiB per batch the printer writes: 21.6 MB at 10,000 Mappings); writeSync
 * encodes the string itself. Ordering is the same (both are synchronous). Should writeSync fail,
 * stdout takes that text and the rest, so that errors come as they did.
 */
function writeStdout(text: string | Uint8Array): void {
  stdoutIsFile ??= isFileOrDevice(1);
  if (stdoutIsFile) {
    try {
      writePiece(1, text);
      return;
    } catch {
      stdoutIsFile = false;
    }
  }
  endQuietlyWhenReaderGoes();
  process.stdout.write(text);
}

let watchingReader = false;

/**
 * A reader that goes away before the output ends (`attache compile -f … | head`) ends the run
 * quietly, as Unix tools end on SIGPIPE: the rest of the output has nowhere to go, and an
 * unhandled EPIPE would print node's stack trace and exit 1. The exit code is the run's own so
 * far (diagnostics have gone to stderr). Any other error on stdout is thrown as before.
 */
function endQuietlyWhenReaderGoes(): void {
  if (watchingReader) return;
  watchingReader = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

function isFileOrDevice(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFile() || (stat.isCharacterDevice() && !isatty(fd));
  } catch {
    return false;
  }
}
